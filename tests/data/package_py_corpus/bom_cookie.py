# -*- coding: utf-8 -*-
name = 'corp'
version = '1.0'
