#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <postgres_ext.h>

// The Postgres wrapper waits on libpq's sockets with epoll (IOReactor), which
// Swift's Glibc module does not export.
#include <sys/epoll.h>

// The PG_DIAG_* field codes are character-literal macros; Swift imports them
// inconsistently, so they are re-exported here as plain integers.
static inline int CLibPQ_DIAG_SQLSTATE(void) { return PG_DIAG_SQLSTATE; }
static inline int CLibPQ_DIAG_SEVERITY(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }
static inline int CLibPQ_DIAG_MESSAGE_PRIMARY(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int CLibPQ_DIAG_MESSAGE_DETAIL(void) { return PG_DIAG_MESSAGE_DETAIL; }
static inline int CLibPQ_DIAG_MESSAGE_HINT(void) { return PG_DIAG_MESSAGE_HINT; }
static inline int CLibPQ_DIAG_CONSTRAINT_NAME(void) { return PG_DIAG_CONSTRAINT_NAME; }
static inline int CLibPQ_DIAG_TABLE_NAME(void) { return PG_DIAG_TABLE_NAME; }
static inline int CLibPQ_DIAG_COLUMN_NAME(void) { return PG_DIAG_COLUMN_NAME; }

#endif
