// The ceilings of issue 18's suite, in C: the same chunk files our reader reads, with nothing between them and the
// hardware but libzstd and the kernel.
//
//   ceiling ARRAY_DIR zstd|raw SCRATCH_DIR REPS [OPS]
//
// For every stored chunk file under ARRAY_DIR (every file but zarr.json):
//   read      open + read whole + close, into buffers allocated (and touched) once
//   decomp    ZSTD_decompressDCtx of each chunk into one reused buffer per thread       (zstd only)
//   comp      ZSTD_compressCCtx, level 0 (libzstd's default, as zarr's zstd level 0), from the decoded chunks into one
//             reused buffer per thread                                                  (zstd only)
//   write     create + write whole + close of each chunk's stored bytes into a new directory under SCRATCH_DIR (no
//             fsync, as the library's store; removed, untimed, after each repetition)
//   place     the write of a read-all's result alone: each chunk's decoded bytes (from one 256 KiB source, hot in
//             cache) stored into its place in one buffer of the whole array (allocated and touched once), row by row
//             with non-temporal stores as our reader does; only with PLACE_SHAPE=Z,Y,X PLACE_CHUNKS=z,y,x PLACE_ITEM=n
//             (the chunk's grid coordinates from the last three parts of its path, c/Z/Y/X); PLACE_SHIFT=24 starts the
//             result 24 bytes past a 64-byte boundary (where a .NET 10 array's data starts here: every 512-byte row
//             then shares its first and last cache line with the neighbouring chunk's row)
// (OPS, such as "read,decomp", limits the steps run) each on 1 and on 2 threads (chunks dealt out through an atomic counter), REPS repetitions, the median printed as
// one JSON line: {"array":..., "chunks":..., "stored_bytes":..., "decoded_bytes":..., "read_1t_s":...,
// "read_1t_cpu_s":..., ...} (wall and process CPU seconds: on a shared machine the CPU seconds are the steadier).
// Build: cc -O2 -pthread -o ceiling ceiling.c -lzstd  (Debian: apt-get install -y libzstd-dev)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <immintrin.h>
#include <zstd.h>

typedef struct {
    char *path;
    size_t stored;
    unsigned char *bytes;   // the stored bytes
    unsigned char *decoded; // zstd: the decoded chunk
    size_t decoded_size;
} chunk_t;

static chunk_t *chunks;
static size_t nchunks, cap;
static int compressed;
static size_t max_decoded;
static const char *scratch;
static atomic_size_t next;
static int op;
static int rep_id;
static size_t place_shape[3], place_chunks[3], place_item;
static unsigned char *place_all;
static size_t place_shift;

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void die(const char *what, const char *where) {
    fprintf(stderr, "ceiling: %s: %s (%s)\n", what, where, strerror(errno));
    exit(1);
}

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) die("cannot open directory", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "zarr.json") == 0) continue;
        char *p;
        if (asprintf(&p, "%s/%s", dir, e->d_name) < 0) die("out of memory", dir);
        struct stat st;
        if (stat(p, &st) != 0) die("cannot stat", p);
        if (S_ISDIR(st.st_mode)) { walk(p); free(p); continue; }
        if (nchunks == cap) { cap = cap ? cap * 2 : 64; chunks = realloc(chunks, cap * sizeof *chunks); }
        chunks[nchunks++] = (chunk_t){ .path = p, .stored = (size_t)st.st_size };
    }
    closedir(d);
}

static void read_file(chunk_t *c) {
    int fd = open(c->path, O_RDONLY);
    if (fd < 0) die("cannot open", c->path);
    size_t got = 0;
    while (got < c->stored) {
        ssize_t n = read(fd, c->bytes + got, c->stored - got);
        if (n <= 0) die("cannot read", c->path);
        got += (size_t)n;
    }
    close(fd);
}

static void write_file(size_t i, chunk_t *c) {
    char p[4096];
    snprintf(p, sizeof p, "%s/rep%d/%zu", scratch, rep_id, i);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("cannot create", p);
    size_t put = 0;
    while (put < c->stored) {
        ssize_t n = write(fd, c->bytes + put, c->stored - put);
        if (n <= 0) die("cannot write", p);
        put += (size_t)n;
    }
    close(fd);
}

// Stores n bytes at d with non-temporal stores, as our reader's streaming copy: the head and tail of a row that does
// not start or end on 32 bytes with 16/8/4-byte ones, single bytes only at odd addresses (never an ordinary store into a
// line that non-temporal stores fill: that costs 10x).
static size_t stream_edge(unsigned char *d, const unsigned char *s, size_t left) {
    uintptr_t at = (uintptr_t)d;
    long long q; int w;
    if ((at & 15) == 0 && left >= 16) { _mm_stream_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s)); return 16; }
    if ((at & 7) == 0 && left >= 8) { memcpy(&q, s, 8); _mm_stream_si64((long long *)d, q); return 8; }
    if ((at & 3) == 0 && left >= 4) { memcpy(&w, s, 4); _mm_stream_si32((int *)d, w); return 4; }
    *d = *s;
    return 1;
}

__attribute__((target("avx"))) static void stream_row(unsigned char *d, const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n && ((uintptr_t)(d + i) & 31) != 0) i += stream_edge(d + i, s + i, n - i);
    for (; i + 32 <= n; i += 32)
        _mm256_stream_si256((__m256i *)(d + i), _mm256_loadu_si256((const __m256i *)(s + i)));
    while (i < n) i += stream_edge(d + i, s + i, n - i);
}

static void place(chunk_t *c, const unsigned char *src, size_t src_size) {
    // The chunk's coordinates: the last three path components.
    size_t coord[3];
    const char *p = c->path + strlen(c->path);
    for (int k = 2; k >= 0; k--) {
        while (p > c->path && p[-1] != '/') p--;
        coord[k] = strtoul(p, NULL, 10);
        if (p > c->path) p--;
    }
    size_t row = place_chunks[2] * place_item, off = 0;
    for (size_t z = 0; z < place_chunks[0]; z++)
        for (size_t y = 0; y < place_chunks[1]; y++) {
            size_t gz = coord[0] * place_chunks[0] + z, gy = coord[1] * place_chunks[1] + y, gx = coord[2] * place_chunks[2];
            unsigned char *d = place_all + place_shift + ((gz * place_shape[1] + gy) * place_shape[2] + gx) * place_item;
            stream_row(d, src + (off % src_size), row);
            off += row;
        }
}

static void *worker(void *arg) {
    (void)arg;
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t bound = ZSTD_compressBound(max_decoded);
    unsigned char *buf = malloc(bound > max_decoded ? bound : max_decoded);
    memset(buf, 0, bound > max_decoded ? bound : max_decoded);
    size_t i;
    while ((i = atomic_fetch_add(&next, 1)) < nchunks) {
        chunk_t *c = &chunks[i];
        if (op == 0) {
            read_file(c);
        } else if (op == 1) {
            size_t r = ZSTD_decompressDCtx(dctx, buf, max_decoded, c->bytes, c->stored);
            if (ZSTD_isError(r) || r != c->decoded_size) { fprintf(stderr, "ceiling: %s: %s\n", c->path, ZSTD_getErrorName(r)); exit(1); }
        } else if (op == 2) {
            size_t r = ZSTD_compressCCtx(cctx, buf, bound, c->decoded, c->decoded_size, 0);
            if (ZSTD_isError(r)) { fprintf(stderr, "ceiling: %s: %s\n", c->path, ZSTD_getErrorName(r)); exit(1); }
        } else if (op == 3) {
            write_file(i, c);
        } else {
            place(c, buf, 256 << 10);
        }
    }
    free(buf);
    ZSTD_freeDCtx(dctx);
    ZSTD_freeCCtx(cctx);
    return NULL;
}

static double last_cpu;

static double run(int which, int threads) {
    char p[4096];
    if (which == 3) {
        snprintf(p, sizeof p, "%s/rep%d", scratch, rep_id);
        if (mkdir(p, 0755) != 0) die("cannot create", p);
        sync();
    }
    op = which;
    atomic_store(&next, 0);
    pthread_t t[2];
    double c0 = cpu(), t0 = now();
    for (int k = 0; k < threads; k++) pthread_create(&t[k], NULL, worker, NULL);
    for (int k = 0; k < threads; k++) pthread_join(t[k], NULL);
    if (which == 4) _mm_sfence();
    double wall = now() - t0;
    last_cpu = cpu() - c0;
    if (which == 3) {
        for (size_t i = 0; i < nchunks; i++) {
            snprintf(p, sizeof p, "%s/rep%d/%zu", scratch, rep_id, i);
            unlink(p);
        }
        snprintf(p, sizeof p, "%s/rep%d", scratch, rep_id);
        rmdir(p);
        rep_id++;
    }
    return wall;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) { fprintf(stderr, "usage: ceiling ARRAY_DIR zstd|raw SCRATCH_DIR REPS [OPS]\n"); return 2; }
    const char *ops = argc == 6 ? argv[5] : "read,decomp,comp,write";
    compressed = strcmp(argv[2], "zstd") == 0;
    scratch = argv[3];
    int reps = atoi(argv[4]);
    if (reps < 1 || reps > 99) { fprintf(stderr, "ceiling: REPS is 1..99\n"); return 2; }
    mkdir(scratch, 0755);
    walk(argv[1]);
    if (nchunks == 0) { fprintf(stderr, "ceiling: no chunk files under %s\n", argv[1]); return 1; }
    size_t stored = 0, decoded = 0;
    for (size_t i = 0; i < nchunks; i++) {
        chunk_t *c = &chunks[i];
        c->bytes = malloc(c->stored);
        memset(c->bytes, 0, c->stored);
        read_file(c);
        stored += c->stored;
        c->decoded_size = c->stored;
        if (compressed) {
            unsigned long long n = ZSTD_getFrameContentSize(c->bytes, c->stored);
            if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN) { fprintf(stderr, "ceiling: %s is not one zstd frame with its size\n", c->path); return 1; }
            c->decoded_size = (size_t)n;
            c->decoded = malloc(c->decoded_size);
            size_t r = ZSTD_decompress(c->decoded, c->decoded_size, c->bytes, c->stored);
            if (ZSTD_isError(r)) { fprintf(stderr, "ceiling: %s: %s\n", c->path, ZSTD_getErrorName(r)); return 1; }
        }
        if (c->decoded_size > max_decoded) max_decoded = c->decoded_size;
        decoded += c->decoded_size;
    }

    static const char *names[] = { "read", "decomp", "comp", "write", "place" };
    int wanted[5];
    char list[256], token[32];
    snprintf(list, sizeof list, ",%s,", ops); // whole names: "comp" is inside "decomp"
    for (int which = 0; which < 5; which++) {
        snprintf(token, sizeof token, ",%s,", names[which]);
        wanted[which] = strstr(list, token) != NULL;
    }
    if (wanted[4]) {
        const char *ps = getenv("PLACE_SHAPE"), *pc = getenv("PLACE_CHUNKS"), *pi = getenv("PLACE_ITEM");
        if (!ps || !pc || !pi
            || sscanf(ps, "%zu,%zu,%zu", &place_shape[0], &place_shape[1], &place_shape[2]) != 3
            || sscanf(pc, "%zu,%zu,%zu", &place_chunks[0], &place_chunks[1], &place_chunks[2]) != 3
            || (place_item = strtoul(pi, NULL, 10)) == 0) {
            fprintf(stderr, "ceiling: place needs PLACE_SHAPE=Z,Y,X PLACE_CHUNKS=z,y,x PLACE_ITEM=bytes\n");
            return 2;
        }
        size_t all = place_shape[0] * place_shape[1] * place_shape[2] * place_item;
        place_shift = getenv("PLACE_SHIFT") ? strtoul(getenv("PLACE_SHIFT"), NULL, 10) % 64 : 0;
        place_all = aligned_alloc(64, all + 64);
        if (!place_all) die("out of memory", "place");
        memset(place_all, 0, all + 64);
    }
    double med[5][3] = { { 0 } }, cpu_med[5][3] = { { 0 } };
    double *walls = malloc(sizeof(double) * (size_t)reps), *cpus = malloc(sizeof(double) * (size_t)reps);
    for (int which = 0; which < 5; which++) {
        if ((!compressed && (which == 1 || which == 2)) || !wanted[which]) continue;
        for (int threads = 1; threads <= 2; threads++) {
            run(which, threads); // warm-up
            for (int r = 0; r < reps; r++) { walls[r] = run(which, threads); cpus[r] = last_cpu; }
            med[which][threads] = median(walls, reps);
            cpu_med[which][threads] = median(cpus, reps);
            fprintf(stderr, "ceiling %s %s %dt: median %.4f s, cpu %.4f s\n", argv[1], names[which], threads, med[which][threads], cpu_med[which][threads]);
        }
    }

    printf("{\"array\": \"%s\", \"codec\": \"%s\", \"zstd_version\": \"%s\", \"chunks\": %zu, \"stored_bytes\": %zu, \"decoded_bytes\": %zu, \"reps\": %d",
           argv[1], argv[2], ZSTD_versionString(), nchunks, stored, decoded, reps);
    for (int which = 0; which < 5; which++) {
        if ((!compressed && (which == 1 || which == 2)) || !wanted[which]) continue;
        for (int threads = 1; threads <= 2; threads++)
            printf(", \"%s_%dt_s\": %.6f, \"%s_%dt_cpu_s\": %.6f", names[which], threads, med[which][threads], names[which], threads, cpu_med[which][threads]);
    }
    printf("}\n");
    return 0;
}
