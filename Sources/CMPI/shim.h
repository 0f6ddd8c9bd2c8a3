// shim.h — Open MPI's C API (Debian: libopenmpi-dev), found through pkg-config `ompi-c`.
// Only the SeqMPI plug-in includes it; nothing else in SeqLang links MPI.
#include <mpi.h>
