// SeqMPI.c — the MPI calls behind SeqMPI.h: init, in-place sums (blocking, and started to be
// waited for later), abort, finalize.

#include "SeqMPI.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <mpi.h>  // through the CMPI system library (pkg-config ompi-c)

static void describe(int code, char *message, int length) {
    if (!message || length <= 0) return;
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(code, text, &n) != MPI_SUCCESS) n = 0;
    text[n < MPI_MAX_ERROR_STRING ? n : MPI_MAX_ERROR_STRING - 1] = 0;
    strncpy(message, text, (size_t)length - 1);
    message[length - 1] = 0;
}

int seq_mpi_abi_version(void) { return SEQ_MPI_ABI_VERSION; }

static void finalize_at_exit(void) { seq_mpi_finalize(); }

int seq_mpi_init(int *rank, int *size, char *message, int message_length) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
        if (rc != MPI_SUCCESS) { describe(rc, message, message_length); return rc; }
        // Errors come back as codes, so the interpreter can report them where they happened.
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        // mpirun counts a rank that exits without MPI_Finalize as failed.
        atexit(finalize_at_exit);
    }
    int rc = MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (rc == MPI_SUCCESS) rc = MPI_Comm_size(MPI_COMM_WORLD, size);
    if (rc != MPI_SUCCESS) describe(rc, message, message_length);
    return rc;
}

/// Sums in pieces of at most INT_MAX elements (MPI counts are ints).
static int sum(void *values, long count, MPI_Datatype type, size_t element, char *message, int length) {
    char *p = (char *)values;
    while (count > 0) {
        int n = count > INT_MAX ? INT_MAX : (int)count;
        int rc = MPI_Allreduce(MPI_IN_PLACE, p, n, type, MPI_SUM, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) { describe(rc, message, length); return rc; }
        p += (size_t)n * element;
        count -= n;
    }
    return 0;
}

int seq_mpi_sum_float(float *values, long count, char *message, int message_length) {
    return sum(values, count, MPI_FLOAT, sizeof(float), message, message_length);
}

int seq_mpi_sum_double(double *values, long count, char *message, int message_length) {
    return sum(values, count, MPI_DOUBLE, sizeof(double), message, message_length);
}

// The requests of the started sums, in the order they were started (calls are serialised by
// the caller, so one table serves the process).
static MPI_Request *pending = NULL;
static int pending_count = 0, pending_capacity = 0;

int seq_mpi_start_sum_float(float *values, long count, char *message, int message_length) {
    char *p = (char *)values;
    while (count > 0) {
        if (pending_count == pending_capacity) {
            int capacity = pending_capacity ? 2 * pending_capacity : 16;
            MPI_Request *grown = realloc(pending, (size_t)capacity * sizeof(MPI_Request));
            if (!grown) {
                if (message && message_length > 0) {
                    strncpy(message, "out of memory for the table of pending sums", (size_t)message_length - 1);
                    message[message_length - 1] = 0;
                }
                return MPI_ERR_NO_MEM;
            }
            pending = grown;
            pending_capacity = capacity;
        }
        int n = count > INT_MAX ? INT_MAX : (int)count;
        int rc = MPI_Iallreduce(MPI_IN_PLACE, p, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &pending[pending_count]);
        if (rc != MPI_SUCCESS) { describe(rc, message, message_length); return rc; }
        pending_count++;
        p += (size_t)n * sizeof(float);
        count -= n;
    }
    return 0;
}

int seq_mpi_progress(char *message, int message_length) {
    if (pending_count == 0) return 0;
    int done = 0;
    int rc = MPI_Testall(pending_count, pending, &done, MPI_STATUSES_IGNORE);
    if (rc != MPI_SUCCESS) { describe(rc, message, message_length); return rc; }
    if (done) pending_count = 0;
    return 0;
}

int seq_mpi_wait_sums(char *message, int message_length) {
    if (pending_count == 0) return 0;
    int rc = MPI_Waitall(pending_count, pending, MPI_STATUSES_IGNORE);
    pending_count = 0;
    if (rc != MPI_SUCCESS) { describe(rc, message, message_length); return rc; }
    return 0;
}

void seq_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int seq_mpi_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    return finalized ? 0 : MPI_Finalize();
}
