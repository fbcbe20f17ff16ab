import json as requires
name = "corp"
version = "1.0"
