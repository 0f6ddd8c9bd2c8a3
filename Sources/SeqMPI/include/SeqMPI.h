// SeqMPI.h — the data-parallel plug-in: the MPI calls SeqLang's training needs, behind a
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
//
// Version 2 of this interface (`seq_mpi_abi_version`) adds the sums that run while the backward
// pass goes on: `seq_mpi_start_sum_float` starts a non-blocking MPI_Iallreduce and returns at
// once, `seq_mpi_progress` lets the pending ones move on (Open MPI progresses non-blocking
// collectives only inside MPI calls on a single-threaded rank), `seq_mpi_wait_sums` waits for
// them all. A buffer handed to a pending sum must stay where it is, untouched, until the wait.

#ifndef SEQ_MPI_H
#define SEQ_MPI_H

#ifdef __cplusplus
extern "C" {
#endif

/// The version of this interface that the plug-in implements; the interpreter refuses another.
#define SEQ_MPI_ABI_VERSION 2
int seq_mpi_abi_version(void);

/// MPI_Init_thread(MPI_THREAD_SERIALIZED) (calls come from one script thread at a time), then
/// this process's rank and the number of ranks; MPI_Finalize is registered with atexit.
/// Errors are returned, not fatal.
int seq_mpi_init(int *rank, int *size, char *message, int message_length);

/// values[i] = Σ_ranks values[i], in place, for float32 (the gradient buffer).
int seq_mpi_sum_float(float *values, long count, char *message, int message_length);

/// values[i] = Σ_ranks values[i], in place, for float64 (losses, counts, flags).
int seq_mpi_sum_double(double *values, long count, char *message, int message_length);

/// Starts values[i] = Σ_ranks values[i], in place, for float32, without waiting (MPI_Iallreduce;
/// several requests for more than INT_MAX values). Every rank must start the same sums in the
/// same order. The result is there after `seq_mpi_wait_sums`.
int seq_mpi_start_sum_float(float *values, long count, char *message, int message_length);

/// Lets the pending sums move on (MPI_Testall); returns at once.
int seq_mpi_progress(char *message, int message_length);

/// Waits until every pending sum is complete (MPI_Waitall); none is pending afterwards.
int seq_mpi_wait_sums(char *message, int message_length);

/// Ends every rank of the job with `code` (after an error on one rank that the others could
/// not see coming).
void seq_mpi_abort(int code);

/// MPI_Finalize, once (seq_mpi_init arranges it at exit).
int seq_mpi_finalize(void);

#ifdef __cplusplus
}
#endif
#endif
