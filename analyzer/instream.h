/* instream.h - an input file as a stdio stream: hashed as stored, decompressed by magic bytes. */
#ifndef PCAPSTATE_INSTREAM_H
#define PCAPSTATE_INSTREAM_H

#include <stdint.h>
#include <stdio.h>

enum instream_comp { COMP_NONE = 0, COMP_GZIP, COMP_ZSTD, COMP_XZ };

struct instream;

/*
 * Opens PATH ("-" = stdin) and returns a stream whose FILE * yields the decompressed bytes.
 * The compression is recognised by its magic bytes, never by the file name.
 * Returns NULL with a message in err on failure (missing, unreadable, a directory).
 * Close with instream_close, which also closes the FILE (do not fclose it yourself).
 */
struct instream *instream_open(const char *path, char *err, size_t errlen);
FILE *instream_file(struct instream *s);
/* "pcap" or "pcapng" from the first decompressed bytes read so far; NULL before any read. */
const char *instream_format(const struct instream *s);
enum instream_comp instream_compression(const struct instream *s);
const char *instream_compression_name(enum instream_comp c);
/* Bytes of the stored file consumed so far, and decompressed bytes handed out so far. */
uint64_t instream_raw_offset(const struct instream *s);
uint64_t instream_out_offset(const struct instream *s);
/* The 32-bit LinkType field of a classic pcap header as stored, or -1 (pcapng, too short). */
int64_t instream_pcap_linktype_field(const struct instream *s);
/*
 * pcapng: the real link type of the next packet libpcap returns (its interface's), taken from
 * the queue the block walker fills; -1 for classic pcap or when unknown. Call once per packet.
 */
int instream_next_linktype(struct instream *s);
/* SnapLen of a pcapng file's first interface (the stream shows libpcap 0 for all), or -1. */
int64_t instream_pcapng_snaplen(const struct instream *s);
/* Size of the stored file, or -1 (stdin, pipe). */
int64_t instream_size(const struct instream *s);
/* Non-NULL when decompression failed (corrupt compressed data): the message. */
const char *instream_error(const struct instream *s);
/*
 * Reads the rest of the stored bytes (so the hash covers the whole file) and writes the
 * SHA-256 of the bytes as stored, as lowercase hex, into out.
 */
void instream_finish_hash(struct instream *s, char out[65]);
/* Tells the stream that its FILE was closed by its user (pcap_close does so). */
void instream_forget_file(struct instream *s);
void instream_close(struct instream *s);

#endif
