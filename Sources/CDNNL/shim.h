#ifndef STEXPLAIN_CDNNL_SHIM_H
#define STEXPLAIN_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

/* Debian's oneDNN is built with the OpenMP runtime (libgomp); its thread
   count is set through OpenMP, which reads OMP_NUM_THREADS only at load time. */
void omp_set_num_threads(int count);
int omp_get_max_threads(void);
#endif
