# The header: skip link and the language switch.

header-skip = Skip to content
header-language = Language
