// SeqMPI.h — the data-parallel plug-in: the five MPI calls SeqLang's training needs, behind a
// plain C interface, built as its own shared library (libSeqMPI.so).
//
// seqsh and the interpreter never link MPI. When a process was started by `mpirun` the
// interpreter opens libSeqMPI.so with dlopen and looks these functions up by name; a
// single-process user needs no MPI installed. Every function returns 0 on success and an MPI
// error code otherwise; `message` (when given) receives MPI's text for it.
//
// Reductions run on MPI_COMM_WORLD with MPI_SUM. For a given number of ranks and a given
// count the order in which Open MPI adds the ranks' values is fixed, so every rank gets the
// same bits, and the same bits on every run.

#ifndef SEQ_MPI_H
#define SEQ_MPI_H

#ifdef __cplusplus
extern "C" {
#endif

/// MPI_Init_thread(MPI_THREAD_SERIALIZED) (calls come from one script thread at a time), then
/// this process's rank and the number of ranks; MPI_Finalize is registered with atexit.
/// Errors are returned, not fatal.
int seq_mpi_init(int *rank, int *size, char *message, int message_length);

/// values[i] = Σ_ranks values[i], in place, for float32 (the gradient buffer).
int seq_mpi_sum_float(float *values, long count, char *message, int message_length);

/// values[i] = Σ_ranks values[i], in place, for float64 (losses, counts, flags).
int seq_mpi_sum_double(double *values, long count, char *message, int message_length);

/// Ends every rank of the job with `code` (after an error on one rank that the others could
/// not see coming).
void seq_mpi_abort(int code);

/// MPI_Finalize, once (seq_mpi_init arranges it at exit).
int seq_mpi_finalize(void);

#ifdef __cplusplus
}
#endif
#endif
