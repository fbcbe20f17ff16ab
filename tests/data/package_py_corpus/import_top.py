import os
name = 'corp'
version = '1.0'
