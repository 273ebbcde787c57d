// zlib (the system's libz), for the compiled-module cache's compression and CRC-32.
#include <zlib.h>
