#ifndef WASMCHECK_AGENT_WIRE_H
#define WASMCHECK_AGENT_WIRE_H

/*
 * The framing of the agent protocol (docs/agent-protocol.md): frames of a
 * u32 length N (little-endian) and N bytes (an op or status byte, then the
 * body), on stdin and stdout; and the little-endian reading and writing of
 * bodies. Reading is checked: a short body sets `bad` and reads zeros, so
 * a request is parsed first and judged once, at the end.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest N of a frame (256 MiB). */
#define WIRE_MAX_FRAME ((uint32_t)256 << 20)

/* Answer statuses. */
enum { WIRE_OK = 0x00, WIRE_TRAP = 0x01, WIRE_ERROR = 0x02, WIRE_EXHAUSTED = 0x03 };

/* One frame read: `op` and the `length` bytes of its body (owned). */
typedef struct wire_frame {
    uint8_t op;
    uint8_t *body;
    size_t length;
} wire_frame;

typedef enum wire_read_result {
    wire_read_ok,
    wire_read_eof,      /* clean end of input before a frame */
    wire_read_broken,   /* end of input or a read error inside a frame */
    wire_read_empty,    /* N == 0: no op byte (skipped; answer an error) */
    wire_read_oversize, /* N too large (its bytes were skipped; answer an error) */
    wire_read_no_memory /* the body could not be allocated (skipped) */
} wire_read_result;

/* Reads one frame from `fd`. On ok, the caller frees `frame->body`. */
wire_read_result wire_read_frame(int fd, wire_frame *frame);

/* Writes one frame: `op` then the body (`head` then `tail`, either may be
 * empty). False when the output is gone. */
bool wire_write_frame(int fd, uint8_t op, const void *head, size_t headLength, const void *tail, size_t tailLength);

/* A cursor over a body. */
typedef struct wire_reader {
    const uint8_t *p;
    size_t left;
    bool bad;
} wire_reader;

uint8_t wire_u8(wire_reader *r);
uint32_t wire_u32(wire_reader *r);
uint64_t wire_u64(wire_reader *r);
/* The next `n` bytes in place (null and bad when fewer are left). */
const uint8_t *wire_bytes(wire_reader *r, uint64_t n);
/* Whether `count` items of `size` bytes can still follow: checked before
 * allocating for them, so a hostile count cannot make a huge allocation. */
bool wire_fits(const wire_reader *r, uint64_t count, size_t size);
/* The body was read exactly: not short, nothing left over. */
bool wire_done(const wire_reader *r);

/* A growing answer body. */
typedef struct wire_writer {
    uint8_t *data;
    size_t length, capacity;
    bool failed; /* out of memory: the answer becomes `exhausted` */
} wire_writer;

void wire_put_u8(wire_writer *w, uint8_t value);
void wire_put_u32(wire_writer *w, uint32_t value);
void wire_put_u64(wire_writer *w, uint64_t value);
void wire_writer_free(wire_writer *w);

#endif
