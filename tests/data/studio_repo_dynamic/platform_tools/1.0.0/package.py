import platform

name = "platform_tools"
version = "1.0.0"
variants = []
if platform.system() == "Linux":
    variants.append(["platform-linux"])
