# coding: no-such-codec
name = 'corp'
version = '1.0'
