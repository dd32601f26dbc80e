#define _GNU_SOURCE
#include "csupport.h"
#include <stdlib.h>   // features.h: defines __GLIBC__ on glibc
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void caseql_malloc_policy(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

// MARK: mappings whose file may shrink
//
// A MAP_PRIVATE file mapping reads the file's pages; when the file is truncated, every page
// past its new end leaves the mapping and the next read of one raises SIGBUS (a page this
// process wrote to is its own copy and stays). The handler below maps zero pages from the
// faulting page to the end of the mapping, marks it lost, and returns: the read goes on, on
// zeros. Pages before it keep what they read (the part of the file still there). A later fault
// in an earlier page (also past the new end) does the same from there. It runs only
// async-signal-safe calls (mmap, sigaction, raise) on memory that exists before it is installed.
// It is caseql's one SIGBUS handler: the files being parsed (MappedFileGuard) and the column
// snapshot (SnapshotMapping) both register here.

enum { SLOTS = 64 };
enum { FREE = 0, TAKING = 1, MAPPED = 2, LOST = 3 };

static struct {
    _Atomic uintptr_t base;
    _Atomic size_t length;
    _Atomic int state;
} mappings[SLOTS];

static struct sigaction previous;
static _Atomic int installed;   // 0 not yet, 1 installing, 2 installed, 3 failed
static uintptr_t page_size;     // set before the handler is installed

static void hand_on(int sig, siginfo_t *info) {
    // Not ours: whatever handled SIGBUS before (by default the process ends with SIGBUS).
    sigaction(SIGBUS, &previous, NULL);
    // Sent by kill(): delivered again once this handler returns. A fault: returning runs the
    // faulting read again, under `previous`.
    if (info == NULL || info->si_code <= 0) raise(sig);
}

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (info != NULL && info->si_code > 0) {
        uintptr_t at = (uintptr_t)info->si_addr;
        for (int k = 0; k < SLOTS; k++) {
            int state = atomic_load(&mappings[k].state);
            if (state != MAPPED && state != LOST) continue;
            uintptr_t base = atomic_load(&mappings[k].base);
            size_t length = atomic_load(&mappings[k].length);
            if (at < base || at - base >= length) continue;
            uintptr_t from = at / page_size * page_size;
            int saved = errno;   // the interrupted code's
            void *p = mmap((void *)from, base + length - from, PROT_READ | PROT_WRITE,
                           MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            errno = saved;
            if (p == MAP_FAILED) break;
            atomic_store(&mappings[k].state, LOST);
            return;
        }
    }
    hand_on(sig, info);
}

static int install(void) {
    int expected = 0;
    if (atomic_compare_exchange_strong(&installed, &expected, 1)) {
        page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_sigbus;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        int ok = sigaction(SIGBUS, NULL, &previous) == 0 && sigaction(SIGBUS, &action, NULL) == 0;
        atomic_store(&installed, ok ? 2 : 3);
        return ok;
    }
    while (atomic_load(&installed) == 1) {}
    return atomic_load(&installed) == 2;
}

int caseql_mapping_register(void *base, size_t length) {
    if (base == NULL || length == 0 || !install()) return -1;
    for (int k = 0; k < SLOTS; k++) {
        int expected = FREE;
        // TAKING: the slot is taken while its range is written (the handler skips it).
        if (atomic_compare_exchange_strong(&mappings[k].state, &expected, TAKING)) {
            atomic_store(&mappings[k].base, (uintptr_t)base);
            atomic_store(&mappings[k].length, length);
            atomic_store(&mappings[k].state, MAPPED);
            return k;
        }
    }
    return -1;
}

void caseql_mapping_unregister(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    atomic_store(&mappings[slot].state, TAKING);
    atomic_store(&mappings[slot].length, 0);
    atomic_store(&mappings[slot].state, FREE);
}

int caseql_mapping_lost(int slot) {
    if (slot < 0 || slot >= SLOTS) return 0;
    return atomic_load(&mappings[slot].state) == LOST;
}
