/*
 * The database benchmark's raw peer: the same point-read transaction as the
 * Swift layer's withTenant, done by a plain blocking libpq program.
 *
 *   raw_libpq [--table bench_items|bench_items_plain|alternate] [--slice S]
 *             [--connections N] [--seconds D] [--warmup W] [--tenants T] [--rows R] [--pipeline]
 *
 * N POSIX threads, each with its own PGconn, loop over
 *     BEGIN
 *     SELECT set_config('app.tenant_id', $1, true)
 *     SELECT id, name, amount FROM <table> WHERE tenant_id = $1 AND id = $2
 *     COMMIT
 * with PQexecParams (extended protocol, unnamed statements, text format, the
 * same parameter types the layer sends: unknown for the setting, uuid and int8
 * for the key), one round trip each. --pipeline instead sends BEGIN and
 * set_config together in pipeline mode, as the layer does (3 round trips):
 * for investigation only, the benchmark's reference is the plain 4-trip loop.
 *
 * One "query" is one such transaction. Warm-up (W s) is not counted; then D s
 * are, and the result is one line:
 *   RESULT peer=raw table=... connections=N seconds=D queries=Q qps=... cpu_us_per_query=C cpu_s=S
 * (S: the process's user+system CPU seconds; C: S over every query it ran, warm-up included).
 * --table alternate: the RLS comparison as an A/B test inside one run, as the Swift
 * peer's: all threads switch between bench_items and bench_items_plain every S seconds
 * (default 0.5); each query counts for the table of the slice it started in; the line
 * then also has qps_rls=... qps_plain=... rls_ratio=...
 * The URL is DATABASE_URL (the app role). Built by ops/bench/db/run:
 *   gcc -O2 -o raw_libpq raw_libpq.c $(pkg-config --cflags --libs libpq) -lpthread
 */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define OID_INT8 20
#define OID_UUID 2950

static const char *table = "bench_items";
static int connections = 4, tenants = 10, rows = 10000, pipeline = 0, alternate = 0;
static double seconds = 10, warmup = 1, slice = 0.5;
static uint64_t measure_from, measure_until;
/* [0]: bench_items (RLS), [1]: bench_items_plain */
static char select_sql[2][256];

struct worker {
    PGconn *conn;
    int index;
    long counted[2], all;
    char error[512];
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64, as the Swift peer. */
static uint64_t next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int fail(struct worker *w, const char *what, PGresult *res) {
    snprintf(w->error, sizeof w->error, "%s: %s", what,
             res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn));
    if (res) PQclear(res);
    return -1;
}

static int expect(struct worker *w, PGresult *res, ExecStatusType status, const char *what) {
    if (PQresultStatus(res) != status) return fail(w, what, res);
    PQclear(res);
    return 0;
}

/* BEGIN and set_config in one round trip (pipeline mode), like the layer's prelude. */
static int begin_pipelined(struct worker *w, const char *tenant) {
    PGconn *c = w->conn;
    const char *values[1] = {tenant};
    if (!PQenterPipelineMode(c)) return fail(w, "enter pipeline", NULL);
    if (!PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0)) return fail(w, "send BEGIN", NULL);
    if (!PQsendQueryParams(c, "SELECT set_config('app.tenant_id', $1, true)", 1, NULL, values, NULL, NULL, 0))
        return fail(w, "send set_config", NULL);
    if (!PQpipelineSync(c)) return fail(w, "pipeline sync", NULL);
    PGresult *res;
    if (expect(w, PQgetResult(c), PGRES_COMMAND_OK, "BEGIN") < 0) return -1;
    if ((res = PQgetResult(c)) != NULL) return fail(w, "BEGIN end", res);
    if (expect(w, PQgetResult(c), PGRES_TUPLES_OK, "set_config") < 0) return -1;
    if ((res = PQgetResult(c)) != NULL) return fail(w, "set_config end", res);
    if (expect(w, PQgetResult(c), PGRES_PIPELINE_SYNC, "sync") < 0) return -1;
    if (!PQexitPipelineMode(c)) return fail(w, "exit pipeline", NULL);
    return 0;
}

static int point_read(struct worker *w, int which, const char *tenant, long id) {
    PGconn *c = w->conn;
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%ld", id);

    if (pipeline) {
        if (begin_pipelined(w, tenant) < 0) return -1;
    } else {
        const char *scope_values[1] = {tenant};
        if (expect(w, PQexecParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0), PGRES_COMMAND_OK, "BEGIN") < 0) return -1;
        if (expect(w, PQexecParams(c, "SELECT set_config('app.tenant_id', $1, true)", 1, NULL, scope_values, NULL, NULL, 0),
                   PGRES_TUPLES_OK, "set_config") < 0) return -1;
    }

    const Oid types[2] = {OID_UUID, OID_INT8};
    const char *values[2] = {tenant, id_text};
    PGresult *res = PQexecParams(c, select_sql[which], 2, types, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) return fail(w, "SELECT", res);
    if (PQntuples(res) != 1 || PQnfields(res) != 3) {
        snprintf(w->error, sizeof w->error, "%d rows for tenant %s id %ld in table %d", PQntuples(res), tenant, id, which);
        PQclear(res);
        return -1;
    }
    /* Read the row, as the layer decodes it. */
    long got = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    size_t name_length = strlen(PQgetvalue(res, 0, 1));
    double amount = strtod(PQgetvalue(res, 0, 2), NULL);
    PQclear(res);
    if (got != id || name_length <= 5 || amount < 0) {
        snprintf(w->error, sizeof w->error, "wrong row for tenant %s id %ld", tenant, id);
        return -1;
    }

    return expect(w, PQexecParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0), PGRES_COMMAND_OK, "COMMIT");
}

static void *run_worker(void *arg) {
    struct worker *w = arg;
    uint64_t state = (uint64_t)(w->index + 1) * 0x123456789ABCDEF1ull;
    char tenant[37];
    while (1) {
        uint64_t now = now_ns();
        if (now >= measure_until) break;
        uint64_t random = next_random(&state);
        int t = (int)(random % (uint64_t)tenants) + 1;
        long id = (long)((random >> 16) % (uint64_t)rows) + 1;
        snprintf(tenant, sizeof tenant, "00000000-0000-4000-8000-%012d", t);
        int which = strcmp(table, "bench_items") == 0 ? 0 : 1;
        if (alternate) {
            /* Slices counted from the start of the measured span (negative during warm-up). */
            double elapsed = ((double)now - (double)measure_from) / 1e9;
            which = (long)floor(elapsed / slice) & 1;
        }
        if (point_read(w, which, tenant, id) < 0) return NULL;
        w->all++;
        if (now >= measure_from) w->counted[which]++;
    }
    return NULL;
}

static void usage(const char *message) {
    if (message) fprintf(stderr, "error: %s\n", message);
    fprintf(stderr, "usage: raw_libpq [--table bench_items|bench_items_plain|alternate] [--slice S] [--connections N] [--seconds D] "
                    "[--warmup W] [--tenants T] [--rows R] [--pipeline]   (DATABASE_URL: the app role's URL)\n");
    exit(2);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--pipeline") == 0) { pipeline = 1; continue; }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) usage(NULL);
        if (i + 1 >= argc) usage("missing value");
        const char *v = argv[++i];
        if (strcmp(a, "--table") == 0) { if (strcmp(v, "alternate") == 0) alternate = 1; else table = v; }
        else if (strcmp(a, "--slice") == 0) slice = atof(v);
        else if (strcmp(a, "--connections") == 0) connections = atoi(v);
        else if (strcmp(a, "--seconds") == 0) seconds = atof(v);
        else if (strcmp(a, "--warmup") == 0) warmup = atof(v);
        else if (strcmp(a, "--tenants") == 0) tenants = atoi(v);
        else if (strcmp(a, "--rows") == 0) rows = atoi(v);
        else usage("unknown argument");
    }
    if (strcmp(table, "bench_items") != 0 && strcmp(table, "bench_items_plain") != 0) usage("unknown table");
    if (connections < 1 || tenants < 1 || rows < 1 || seconds <= 0 || warmup < 0 || slice <= 0) usage("bad number");
    const char *url = getenv("DATABASE_URL");
    if (!url || !*url) usage("DATABASE_URL is not set");
    snprintf(select_sql[0], sizeof select_sql[0], "SELECT id, name, amount FROM bench_items WHERE tenant_id = $1 AND id = $2");
    snprintf(select_sql[1], sizeof select_sql[1], "SELECT id, name, amount FROM bench_items_plain WHERE tenant_id = $1 AND id = $2");

    /* Connected as the layer connects: same session options, application name aside. */
    const char *keywords[] = {"dbname", "application_name", "options", "client_encoding", NULL};
    const char *values[] = {url, "ledgerbridge-bench-raw",
                            "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex", "UTF8", NULL};
    struct worker *workers = calloc((size_t)connections, sizeof *workers);
    pthread_t *threads = calloc((size_t)connections, sizeof *threads);
    for (int i = 0; i < connections; i++) {
        workers[i].index = i;
        workers[i].conn = PQconnectdbParams(keywords, values, 1);
        if (PQstatus(workers[i].conn) != CONNECTION_OK) {
            fprintf(stderr, "error: connection failed: %s", PQerrorMessage(workers[i].conn));
            return 1;
        }
    }
    uint64_t start = now_ns();
    measure_from = start + (uint64_t)(warmup * 1e9);
    measure_until = measure_from + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < connections; i++) pthread_create(&threads[i], NULL, run_worker, &workers[i]);
    long counted[2] = {0, 0}, all = 0;
    int failed = 0;
    for (int i = 0; i < connections; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].error[0]) {
            fprintf(stderr, "error: worker %d: %s\n", i, workers[i].error);
            failed = 1;
        }
        counted[0] += workers[i].counted[0];
        counted[1] += workers[i].counted[1];
        all += workers[i].all;
        PQfinish(workers[i].conn);
    }
    if (failed) return 1;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    long total = counted[0] + counted[1];
    printf("RESULT peer=raw%s%s table=%s connections=%d seconds=%g queries=%ld qps=%.1f cpu_us_per_query=%.1f cpu_s=%.3f",
           pipeline ? "-pipelined" : "", alternate ? "-ab" : "", alternate ? "alternate" : table, connections, seconds,
           total, (double)total / seconds, cpu * 1e6 / (double)(all > 0 ? all : 1), cpu);
    if (alternate) {
        /* Seconds of the measured span on even (RLS) and odd (plain) slices. */
        double even = 0, odd = 0;
        for (long k = 0; (double)k * slice < seconds; k++) {
            double length = fmin(slice, seconds - (double)k * slice);
            if (k & 1) odd += length; else even += length;
        }
        double qps_rls = counted[0] / even, qps_plain = odd > 0 ? counted[1] / odd : 0;
        printf(" qps_rls=%.1f qps_plain=%.1f rls_ratio=%.4f", qps_rls, qps_plain, qps_plain > 0 ? qps_rls / qps_plain : 0);
    }
    printf("\n");
    return 0;
}
