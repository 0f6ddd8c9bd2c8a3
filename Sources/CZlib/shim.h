// CZlib: zlib (gzip reading for MNIST-style idx files), as a Swift module.
#include <zlib.h>
