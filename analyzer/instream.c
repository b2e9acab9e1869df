/* instream.c - hashed, decompressing input streams (gzip, zstd, xz) exposed to libpcap via fopencookie. */
#include "config.h"

#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "instream.h"
#include "sha256.h"

#define RAW_BUF (256 * 1024)
#define NG_MAX_IF 256
#define NG_QUEUE 65536   /* packet blocks the walker may run ahead of libpcap */

struct instream {
	FILE *raw;              /* the stored bytes */
	FILE *out;              /* what libpcap reads (a cookie stream) */
	bool own_raw;
	enum instream_comp comp;
	int64_t size;
	uint64_t raw_off, out_off;
	uint8_t head[24];       /* first decompressed bytes: the capture file header */
	size_t head_len;
	/* pcapng block walker: rewrites interface descriptions (see ng_patch). */
	bool ng_active;
	bool ng_be;
	uint32_t ng_pos, ng_len, ng_type;
	uint8_t ng_hdr[12];
	uint8_t ng_first_snap[4];
	uint8_t ng_first_lt[2];
	int ng_idbs;                 /* interfaces seen in the whole file */
	uint32_t ng_sect_idbs;       /* interfaces of the current section */
	uint16_t ng_lt[NG_MAX_IF];   /* real link type of each interface of the section */
	uint32_t ng_q[NG_QUEUE];     /* link types of packet blocks walked but not yet read */
	uint32_t ng_qhead, ng_qtail;
	struct sha256_ctx sha;
	uint8_t *buf;           /* raw input buffer */
	size_t buf_pos, buf_len;
	bool raw_eof;
	char error[160];
	bool has_error;
	z_stream z;
	bool z_init;
	ZSTD_DStream *zs;
	lzma_stream lz;
	bool lz_init;
};

/* Refills the raw buffer, hashing every byte as stored. Returns bytes available. */
static size_t raw_fill(struct instream *s)
{
	if (s->buf_pos < s->buf_len)
		return s->buf_len - s->buf_pos;
	if (s->raw_eof)
		return 0;
	size_t n = fread(s->buf, 1, RAW_BUF, s->raw);
	if (n == 0) {
		s->raw_eof = true;
		return 0;
	}
	sha256_update(&s->sha, s->buf, n);
	s->raw_off += n;
	s->buf_pos = 0;
	s->buf_len = n;
	return n;
}

static void set_error(struct instream *s, const char *what)
{
	if (!s->has_error) {
		snprintf(s->error, sizeof s->error, "%s data is corrupt near stored byte offset %llu",
		    what, (unsigned long long)s->raw_off);
		s->has_error = true;
	}
}

static ssize_t read_none(struct instream *s, char *dst, size_t n)
{
	size_t done = 0;
	while (done < n && raw_fill(s) > 0) {
		size_t k = s->buf_len - s->buf_pos;
		if (k > n - done)
			k = n - done;
		memcpy(dst + done, s->buf + s->buf_pos, k);
		s->buf_pos += k;
		done += k;
	}
	return (ssize_t)done;
}

/* gzip: inflate with header auto-detection; concatenated members are read one after another. */
static ssize_t read_gzip(struct instream *s, char *dst, size_t n)
{
	s->z.next_out = (Bytef *)dst;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out > 0 && !s->has_error) {
		if (s->z.avail_in == 0) {
			s->buf_pos = s->buf_len;
			if (raw_fill(s) == 0)
				break;
			s->z.next_in = s->buf + s->buf_pos;
			s->z.avail_in = (uInt)(s->buf_len - s->buf_pos);
		}
		int rc = inflate(&s->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			if (s->z.avail_in == 0) {
				s->buf_pos = s->buf_len;
				if (raw_fill(s) == 0)
					break;
				s->z.next_in = s->buf + s->buf_pos;
				s->z.avail_in = (uInt)(s->buf_len - s->buf_pos);
			}
			inflateReset(&s->z);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			set_error(s, "gzip");
		} else if (rc == Z_BUF_ERROR && s->z.avail_in != 0) {
			set_error(s, "gzip");
		}
	}
	return (ssize_t)(n - s->z.avail_out);
}

static ssize_t read_zstd(struct instream *s, char *dst, size_t n)
{
	ZSTD_outBuffer ob = { dst, n, 0 };
	while (ob.pos < ob.size && !s->has_error) {
		if (s->buf_pos >= s->buf_len && raw_fill(s) == 0)
			break;
		ZSTD_inBuffer ib = { s->buf, s->buf_len, s->buf_pos };
		size_t rc = ZSTD_decompressStream(s->zs, &ob, &ib);
		s->buf_pos = ib.pos;
		if (ZSTD_isError(rc))
			set_error(s, "zstd");
	}
	return (ssize_t)ob.pos;
}

static ssize_t read_xz(struct instream *s, char *dst, size_t n)
{
	s->lz.next_out = (uint8_t *)dst;
	s->lz.avail_out = n;
	while (s->lz.avail_out > 0 && !s->has_error) {
		lzma_action act = LZMA_RUN;
		if (s->lz.avail_in == 0) {
			s->buf_pos = s->buf_len;
			if (raw_fill(s) == 0)
				act = LZMA_FINISH;
			else {
				s->lz.next_in = s->buf + s->buf_pos;
				s->lz.avail_in = s->buf_len - s->buf_pos;
			}
		}
		lzma_ret rc = lzma_code(&s->lz, act);
		if (rc == LZMA_STREAM_END)
			break;
		if (rc != LZMA_OK) {
			if (rc != LZMA_BUF_ERROR || act != LZMA_FINISH)
				set_error(s, "xz");
			break;
		}
		if (act == LZMA_FINISH)
			break;
	}
	return (ssize_t)(n - s->lz.avail_out);
}

static uint32_t rd32(const uint8_t *b, bool be)
{
	return be ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
	          : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/*
 * libpcap 1.10 refuses a pcapng file whose interfaces have different snapshot lengths or link
 * types, though each packet names its interface. Walk the blocks as they stream past: set every
 * Interface Description Block's SnapLen to 0 ("no limit", pcapng spec section 4.2) and its
 * LinkType to the first interface's, remember each interface's real link type, and queue the
 * link type of every packet block in file order, which is the order libpcap returns packets in
 * (instream_next_linktype). A block length that makes no sense stops the walk: libpcap then
 * reports the damage itself.
 */
static void ng_patch(struct instream *s, uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && s->ng_active) {
		if (s->ng_pos >= 16) {
			size_t k = s->ng_len - s->ng_pos;
			if (k > n - i)
				k = n - i;
			i += k;
			s->ng_pos += (uint32_t)k;
		} else {
			uint32_t pos = s->ng_pos;
			if (pos < 12)
				s->ng_hdr[pos] = p[i];
			if (pos == 3)
				s->ng_type = rd32(s->ng_hdr, s->ng_be);   /* the SHB type reads the same both ways */
			bool idb = s->ng_type == 1;
			if (idb && (pos == 8 || pos == 9)) {
				/* LinkType: keep the real one, show libpcap the first interface's. */
				if (s->ng_idbs == 0)
					s->ng_first_lt[pos - 8] = p[i];
				else
					p[i] = s->ng_first_lt[pos - 8];
			}
			if (pos == 11) {
				if (s->ng_type == 0x0a0d0d0a) {
					s->ng_be = s->ng_hdr[8] == 0x1a;   /* byte-order magic 0x1A2B3C4D */
					s->ng_sect_idbs = 0;               /* interface ids restart per section */
				}
				s->ng_len = rd32(s->ng_hdr + 4, s->ng_be);
				if (s->ng_len < 12 || s->ng_len % 4 != 0) {
					s->ng_active = false;
					break;
				}
				if (idb && s->ng_sect_idbs < NG_MAX_IF) {
					uint8_t *lt = s->ng_hdr + 8;
					s->ng_lt[s->ng_sect_idbs] = s->ng_be ? (uint16_t)(lt[0] << 8 | lt[1]) :
					    (uint16_t)(lt[1] << 8 | lt[0]);
				}
				uint32_t iface = UINT32_MAX;
				if (s->ng_type == 6)           /* EPB: Interface ID, 32 bits */
					iface = rd32(s->ng_hdr + 8, s->ng_be);
				else if (s->ng_type == 2)      /* obsolete Packet Block: 16 bits */
					iface = s->ng_be ? (uint32_t)(s->ng_hdr[8] << 8 | s->ng_hdr[9]) :
					    (uint32_t)(s->ng_hdr[9] << 8 | s->ng_hdr[8]);
				else if (s->ng_type == 3)      /* SPB: always the first interface */
					iface = 0;
				if (iface != UINT32_MAX && s->ng_qtail - s->ng_qhead < NG_QUEUE)
					s->ng_q[s->ng_qtail++ % NG_QUEUE] = iface < s->ng_sect_idbs &&
					    iface < NG_MAX_IF ? s->ng_lt[iface] : UINT32_MAX;
			}
			if (pos >= 12 && idb && s->ng_len >= 20) {
				if (s->ng_idbs == 0)
					s->ng_first_snap[pos - 12] = p[i];
				p[i] = 0;
				if (pos == 15) {
					s->ng_idbs++;
					s->ng_sect_idbs++;
				}
			}
			s->ng_pos++;
			i++;
		}
		if (s->ng_pos == s->ng_len && s->ng_pos >= 12)
			s->ng_pos = 0;
	}
}

int instream_next_linktype(struct instream *s)
{
	if (s->ng_qhead == s->ng_qtail)
		return -1;
	uint32_t lt = s->ng_q[s->ng_qhead++ % NG_QUEUE];
	return lt == UINT32_MAX ? -1 : (int)lt;
}

int64_t instream_pcapng_snaplen(const struct instream *s)
{
	return s->ng_idbs > 0 ? (int64_t)rd32(s->ng_first_snap, s->ng_be) : -1;
}

static ssize_t cookie_read(void *c, char *dst, size_t n)
{
	struct instream *s = c;
	ssize_t r;
	switch (s->comp) {
	case COMP_GZIP: r = read_gzip(s, dst, n); break;
	case COMP_ZSTD: r = read_zstd(s, dst, n); break;
	case COMP_XZ:   r = read_xz(s, dst, n); break;
	default:        r = read_none(s, dst, n); break;
	}
	if (r > 0) {
		for (ssize_t i = 0; i < r && s->head_len < sizeof s->head; i++) {
			s->head[s->head_len++] = (uint8_t)dst[i];
			if (s->head_len == 4 && memcmp(s->head, "\x0a\x0d\x0d\x0a", 4) == 0)
				s->ng_active = true;
		}
		if (s->ng_active)
			ng_patch(s, (uint8_t *)dst, (size_t)r);
		s->out_off += (uint64_t)r;
	}
	return r;
}

static int cookie_close(void *c)
{
	(void)c;
	return 0;
}

static enum instream_comp sniff(const uint8_t *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return COMP_GZIP;
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return COMP_ZSTD;
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return COMP_XZ;
	return COMP_NONE;
}

struct instream *instream_open(const char *path, char *err, size_t errlen)
{
	struct instream *s = calloc(1, sizeof *s);
	if (s == NULL || (s->buf = malloc(RAW_BUF)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(s);
		return NULL;
	}
	s->size = -1;
	if (strcmp(path, "-") == 0) {
		s->raw = stdin;
	} else {
		struct stat st;
		if (stat(path, &st) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory", path);
			goto fail;
		}
		s->raw = fopen(path, "rb");
		if (s->raw == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		s->own_raw = true;
		if (S_ISREG(st.st_mode))
			s->size = (int64_t)st.st_size;
	}
	sha256_init(&s->sha);
	raw_fill(s);
	if (ferror(s->raw)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	s->comp = sniff(s->buf, s->buf_len);
	switch (s->comp) {
	case COMP_GZIP:
		if (inflateInit2(&s->z, 15 + 32) != Z_OK)
			goto nomem;
		s->z_init = true;
		s->z.next_in = s->buf;
		s->z.avail_in = (uInt)s->buf_len;
		break;
	case COMP_ZSTD:
		if ((s->zs = ZSTD_createDStream()) == NULL)
			goto nomem;
		ZSTD_initDStream(s->zs);
		break;
	case COMP_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		s->lz = init;
		if (lzma_stream_decoder(&s->lz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			goto nomem;
		s->lz_init = true;
		s->lz.next_in = s->buf;
		s->lz.avail_in = s->buf_len;
		break;
	}
	default:
		break;
	}
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	s->out = fopencookie(s, "r", io);
	if (s->out == NULL)
		goto nomem;
	return s;
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	instream_close(s);
	return NULL;
}

FILE *instream_file(struct instream *s) { return s->out; }

const char *instream_format(const struct instream *s)
{
	if (s->head_len >= 4 && memcmp(s->head, "\x0a\x0d\x0d\x0a", 4) == 0)
		return "pcapng";
	return s->head_len >= 4 ? "pcap" : NULL;
}

int64_t instream_pcap_linktype_field(const struct instream *s)
{
	if (s->head_len < 24)
		return -1;
	bool be = s->head[0] == 0xa1;   /* a1 b2 c3 d4 / a1 b2 3c 4d: big-endian writer */
	return (int64_t)rd32(s->head + 20, be);
}
enum instream_comp instream_compression(const struct instream *s) { return s->comp; }
uint64_t instream_raw_offset(const struct instream *s) { return s->raw_off; }
uint64_t instream_out_offset(const struct instream *s) { return s->out_off; }
int64_t instream_size(const struct instream *s) { return s->size; }
const char *instream_error(const struct instream *s) { return s->has_error ? s->error : NULL; }

const char *instream_compression_name(enum instream_comp c)
{
	switch (c) {
	case COMP_GZIP: return "gzip";
	case COMP_ZSTD: return "zstd";
	case COMP_XZ:   return "xz";
	default:        return "none";
	}
}

void instream_finish_hash(struct instream *s, char out[65])
{
	uint8_t d[32];
	s->buf_pos = s->buf_len;
	while (raw_fill(s) > 0)
		s->buf_pos = s->buf_len;
	struct sha256_ctx copy = s->sha;
	sha256_final(&copy, d);
	sha256_hex(d, out);
}

void instream_forget_file(struct instream *s)
{
	s->out = NULL;
}

void instream_close(struct instream *s)
{
	if (s == NULL)
		return;
	if (s->out)
		fclose(s->out);
	if (s->own_raw && s->raw)
		fclose(s->raw);
	if (s->z_init)
		inflateEnd(&s->z);
	if (s->zs)
		ZSTD_freeDStream(s->zs);
	if (s->lz_init)
		lzma_end(&s->lz);
	free(s->buf);
	free(s);
}
