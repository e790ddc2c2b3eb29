// OpenBLAS (Debian libopenblas-dev): CBLAS from its header, and the few LAPACK routines
// Matchwork calls, declared here with the Fortran calling convention so that no LAPACKE
// package is needed (OpenBLAS exports LAPACK itself).
#ifndef MATCHWORK_COPENBLAS_SHIM_H
#define MATCHWORK_COPENBLAS_SHIM_H

#include <cblas.h>

// Cholesky factorisation and solve of a symmetric positive definite system, single precision.
void sposv_(const char *uplo, const int *n, const int *nrhs, float *a, const int *lda, float *b, const int *ldb, int *info);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda, float *b, const int *ldb, int *info);

#endif
