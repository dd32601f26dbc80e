#include "csupport.h"
#include <stdlib.h>   // features.h: defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void caseql_malloc_policy(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}
