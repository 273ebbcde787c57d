/*
 * Frames and little-endian bodies (Wire.h).
 */
#include "Wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads exactly `n` bytes, across short reads and EINTR: n (all), or the
 * count read before end of input / an error. */
static size_t read_fully(int fd, void *buffer, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t got = read(fd, (uint8_t *)buffer + done, n - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        done += (size_t)got;
    }
    return done;
}

/* Reads and drops `n` bytes (a frame the agent will not keep). */
static bool skip_fully(int fd, uint64_t n) {
    uint8_t scratch[4096];
    while (n > 0) {
        size_t chunk = n < sizeof scratch ? (size_t)n : sizeof scratch;
        if (read_fully(fd, scratch, chunk) != chunk) return false;
        n -= chunk;
    }
    return true;
}

static uint32_t load_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

wire_read_result wire_read_frame(int fd, wire_frame *frame) {
    uint8_t header[4];
    size_t got = read_fully(fd, header, 4);
    if (got == 0) return wire_read_eof;
    if (got != 4) return wire_read_broken;
    uint32_t n = load_u32(header);
    if (n == 0) return wire_read_empty;
    if (n > WIRE_MAX_FRAME) {
        /* Skip it, so that the stream stays in step, and answer an error. */
        return skip_fully(fd, n) ? wire_read_oversize : wire_read_broken;
    }
    uint8_t op;
    if (read_fully(fd, &op, 1) != 1) return wire_read_broken;
    size_t length = n - 1;
    /* One extra byte: a zero-length body still gets a real allocation. */
    uint8_t *body = malloc(length + 1);
    if (!body) return skip_fully(fd, length) ? wire_read_no_memory : wire_read_broken;
    if (read_fully(fd, body, length) != length) {
        free(body);
        return wire_read_broken;
    }
    frame->op = op;
    frame->body = body;
    frame->length = length;
    return wire_read_ok;
}

/* Writes all `n` bytes, across short writes and EINTR. */
static bool write_fully(int fd, const void *buffer, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t put = write(fd, (const uint8_t *)buffer + done, n - done);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) return false;
        done += (size_t)put;
    }
    return true;
}

bool wire_write_frame(int fd, uint8_t op, const void *head, size_t headLength, const void *tail, size_t tailLength) {
    /* Callers keep bodies below WIRE_MAX_FRAME; checked again here. */
    if (headLength > WIRE_MAX_FRAME || tailLength > WIRE_MAX_FRAME - 1 - headLength) return false;
    uint32_t n = (uint32_t)(1 + headLength + tailLength);
    uint8_t prefix[5] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24), op};
    return write_fully(fd, prefix, sizeof prefix) && write_fully(fd, head, headLength) &&
           write_fully(fd, tail, tailLength);
}

/* The next `n` bytes, or null (and bad) when the body is short. */
static const uint8_t *take(wire_reader *r, size_t n) {
    if (r->bad || r->left < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

uint8_t wire_u8(wire_reader *r) {
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

uint32_t wire_u32(wire_reader *r) {
    const uint8_t *p = take(r, 4);
    return p ? load_u32(p) : 0;
}

uint64_t wire_u64(wire_reader *r) {
    const uint8_t *p = take(r, 8);
    return p ? (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32 : 0;
}

const uint8_t *wire_bytes(wire_reader *r, uint64_t n) {
    if (n > r->left) {
        r->bad = true;
        return NULL;
    }
    return take(r, (size_t)n);
}

bool wire_fits(const wire_reader *r, uint64_t count, size_t size) { return !r->bad && count <= r->left / size; }

bool wire_done(const wire_reader *r) { return !r->bad && r->left == 0; }

/* Room for `n` more bytes; false (and failed) when out of memory. */
static bool reserve(wire_writer *w, size_t n) {
    if (w->failed) return false;
    if (n <= w->capacity - w->length) return true;
    size_t capacity = w->capacity ? w->capacity : 64;
    while (capacity - w->length < n) {
        if (capacity > SIZE_MAX / 2) {
            w->failed = true;
            return false;
        }
        capacity *= 2;
    }
    uint8_t *data = realloc(w->data, capacity);
    if (!data) {
        w->failed = true;
        return false;
    }
    w->data = data;
    w->capacity = capacity;
    return true;
}

void wire_put_u8(wire_writer *w, uint8_t value) {
    if (reserve(w, 1)) w->data[w->length++] = value;
}

void wire_put_u32(wire_writer *w, uint32_t value) {
    if (!reserve(w, 4)) return;
    for (int i = 0; i < 4; i++) w->data[w->length++] = (uint8_t)(value >> (8 * i));
}

void wire_put_u64(wire_writer *w, uint64_t value) {
    if (!reserve(w, 8)) return;
    for (int i = 0; i < 8; i++) w->data[w->length++] = (uint8_t)(value >> (8 * i));
}

void wire_writer_free(wire_writer *w) {
    free(w->data);
    *w = (wire_writer){0};
}
