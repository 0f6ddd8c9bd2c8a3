// COpenBLAS: the CBLAS interface of OpenBLAS, as a Swift module.
#include <cblas.h>
// openblas_set_num_threads / openblas_get_num_threads live in cblas.h of OpenBLAS.
