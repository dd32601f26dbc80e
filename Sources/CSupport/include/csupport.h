// Small C helpers Swift cannot reach by itself.
#ifndef CASEQL_CSUPPORT_H
#define CASEQL_CSUPPORT_H

/// Large blocks straight from mmap and back to the system when freed (glibc's moving threshold
/// would keep freed blocks in the loading threads' heaps). Does nothing off glibc.
void caseql_malloc_policy(void);

#endif
