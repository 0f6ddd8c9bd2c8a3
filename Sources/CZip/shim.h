// CZip: libzip (Debian's libzip-dev), as a Swift module, for reading `.keras` archives from memory.
#include <zip.h>
