#!/usr/bin/env python
# vim: set fileencoding=utf-8 :
name = 'corp'
version = '1.0'
