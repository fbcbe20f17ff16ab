from os import path
name = 'corp'
version = '1.0'
