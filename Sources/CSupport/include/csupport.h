// Small C helpers Swift cannot reach by itself.
#ifndef CASEQL_CSUPPORT_H
#define CASEQL_CSUPPORT_H

#include <stddef.h>

/// Large blocks straight from mmap and back to the system when freed (glibc's moving threshold
/// would keep freed blocks in the loading threads' heaps). Does nothing off glibc.
void caseql_malloc_policy(void);

/// Registers a file mapping (a file being parsed, a column snapshot) whose file may shrink while
/// it is mapped: a read of a page past the file's new end raises SIGBUS, which caseql's handler
/// (installed by the first call; it hands any other SIGBUS to the handler before it) turns into
/// zero pages from that page to the mapping's end and a "lost" mark, and the read goes on
/// (reading zeros). Returns the registration's slot, or -1 when all 64 are taken or the handler
/// cannot be installed (a SIGBUS in that mapping then ends the process, as before).
int caseql_mapping_register(void *base, size_t length);

/// Forgets a registration (call before unmapping). -1 does nothing.
void caseql_mapping_unregister(int slot);

/// Whether a read past the file's end was caught in the slot's mapping since it was registered:
/// some of its bytes are zeros since then and whatever was read from it must not be trusted.
int caseql_mapping_lost(int slot);

#endif
