/* The classifier's two per-character passes, in C: whitespace cleanup and folding.
 *
 * Why C: on a 10 KB page every pure-Python way of doing these (str.split,
 * str.lower, a regex character class, numpy gathers) costs 5-20 us per pass,
 * which is a third of the classifier's budget of 200 us per document.  Here
 * each is one loop over the code units.  The semantics are exactly those of
 * pipeline.cnfold.clean_whitespace and pipeline.cnfold.fold_utf16 (the pure
 * Python versions stay, are the reference, and tests compare the two); the
 * module is optional: if it is not built, the Python versions run.
 *
 * Both functions work on BMP-only text (at most 2-byte code units) and return
 * None otherwise, so the caller falls back to the Python path.
 *
 * minhash (further down) computes pipeline.dedupe's MinHash signature for any
 * text, so that storing releases needs neither numpy nor its ~11 MB of RSS.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int is_zero_width(Py_UCS4 c) {
    return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
}

/* str.isspace() of one character, without a call into the Unicode database for
 * the CJK characters that make up most of a page: every whitespace character is
 * below 0x100, 0x1680, in 0x2000-0x205F or 0x3000. */
static inline int is_space(Py_UCS4 c) {
    if (c < 0x100)
        return Py_UNICODE_ISSPACE(c);
    if (c == 0x1680 || c == 0x3000 || (c >= 0x2000 && c <= 0x205F))
        return Py_UNICODE_ISSPACE(c);
    return 0;
}

/* clean(text) -> str | None: drop zero-width characters, split on whitespace
 * (str.split's notion), join the parts with one space where both neighbours
 * are ASCII and with nothing otherwise. */
static PyObject *clean(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "clean() expects str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    if (kind == PyUnicode_4BYTE_KIND)
        Py_RETURN_NONE;
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    Py_UCS2 *out = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(Py_UCS2));
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t m = 0;
    int pending_space = 0; /* whitespace seen since the last kept character */
    Py_UCS4 last = 0;      /* last kept character */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 0x200B && (c <= 0x2060 || c == 0xFEFF) && is_zero_width(c))
            continue;
        if (is_space(c)) {
            pending_space = 1;
            continue;
        }
        if (pending_space && m > 0 && last < 0x80 && c < 0x80)
            out[m++] = ' ';
        pending_space = 0;
        out[m++] = (Py_UCS2)c;
        last = c;
    }
    PyObject *res = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, out, m);
    PyMem_Free(out);
    return res;
}

/* fold16(text, table) -> (str, bytes) | None: map every code unit through
 * table (65536 native-endian uint16, built in Python from OpenCC's table and
 * str.lower) and return the folded text and its UTF-16 bytes.  None for text
 * beyond the BMP or with a character the table marks 0xFFFF: its fold is not
 * one BMP character (a few rare forms fold to Extension-B characters, dotted
 * capital I lower-cases to two) or depends on context (capital sigma). */
static PyObject *fold16(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "Uy*", &text, &table))
        return NULL;
    if (table.len != 65536 * 2) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "fold16() needs a 65536-entry uint16 table");
        return NULL;
    }
    const uint16_t *map = (const uint16_t *)table.buf;
    int kind = PyUnicode_KIND(text);
    if (kind == PyUnicode_4BYTE_KIND) {
        PyBuffer_Release(&table);
        Py_RETURN_NONE;
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, n * 2);
    if (bytes == NULL) {
        PyBuffer_Release(&table);
        return NULL;
    }
    uint16_t *out = (uint16_t *)PyBytes_AS_STRING(bytes);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        uint16_t f = map[c];
        if (f == 0xFFFF && c != 0xFFFF) { /* the table says: not one BMP character, or context-dependent */
            Py_DECREF(bytes);
            PyBuffer_Release(&table);
            Py_RETURN_NONE;
        }
        out[i] = f;
    }
    PyBuffer_Release(&table);
    PyObject *folded = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, out, n);
    if (folded == NULL) {
        Py_DECREF(bytes);
        return NULL;
    }
    return Py_BuildValue("(NN)", folded, bytes);
}

/* foldscan(text, ends, table, filt, slots, cands, terms, offsets)
 *     -> (folded str, [(term, start, end), ...], [sentence-end positions]) | None
 *
 * Fold (as fold16) and find the taxonomy's phrases in one call, leftmost-longest
 * and non-overlapping: at each position the longest phrase that starts there,
 * then on from its end; else the next position.  That is exactly the
 * leftmost-longest Aho-Corasick result (pipeline.termindex, the reference; tests
 * compare), without building UTF-16 bytes or walking a DFA of thousands of states
 * for every byte: most positions are ruled out by one bit of a bigram filter.
 * The same pass lists where the characters of ``ends`` occur (positions()), so
 * the classifier's sentence bounds cost no third pass over the text.
 *
 * The index is built in Python (pipeline.termindex._CIndex), every phrase at
 * least two BMP code units long:
 *   filt    8192 bytes: bit h set for the hash h of each phrase's first two units;
 *   slots   uint32 triples (key = c0 << 16 | c1, first candidate, count), open
 *           addressing on the same hash, 0xFFFFFFFF = empty, size a power of two;
 *   cands   uint32 phrase numbers, longest first within each bigram;
 *   terms   the phrases' uint16 code units back to back; offsets uint32, n + 1. */
static inline uint32_t bigram_hash(uint32_t c0, uint32_t c1) {
    return (uint32_t)(((c0 << 16) | c1) * 0x9E3779B1u) >> 16; /* Fibonacci hashing of the pair */
}

static PyObject *foldscan(PyObject *self, PyObject *args) {
    PyObject *text, *ends;
    Py_buffer table, filt, slots, cands, terms, offsets;
    if (!PyArg_ParseTuple(args, "UUy*y*y*y*y*y*", &text, &ends, &table, &filt, &slots, &cands, &terms, &offsets))
        return NULL;
    PyObject *result = NULL, *folded = NULL, *found = NULL, *bounds = NULL;
    Py_UCS4 endset[16];
    unsigned char maybe_end[256] = {0}; /* as positions(): most characters are ruled out by their low byte */
    Py_ssize_t nends = PyUnicode_GET_LENGTH(ends);
    uint16_t *buf = NULL;
    if (table.len != 65536 * 2 || filt.len != 8192 || slots.len % 12 != 0 || cands.len % 4 != 0 ||
        offsets.len % 4 != 0 || offsets.len < 4) {
        PyErr_SetString(PyExc_ValueError, "foldscan(): malformed index");
        goto done;
    }
    if (nends > 16) {
        PyErr_SetString(PyExc_ValueError, "foldscan() takes at most 16 sentence-end characters");
        goto done;
    }
    for (Py_ssize_t j = 0; j < nends; j++) {
        endset[j] = PyUnicode_READ_CHAR(ends, j);
        maybe_end[endset[j] & 0xFF] = 1;
    }
    int kind = PyUnicode_KIND(text);
    if (kind == PyUnicode_4BYTE_KIND) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    const uint16_t *map = (const uint16_t *)table.buf;
    const uint8_t *bits = (const uint8_t *)filt.buf;
    const uint32_t *slot = (const uint32_t *)slots.buf;
    const uint32_t *cand = (const uint32_t *)cands.buf;
    const uint16_t *unit = (const uint16_t *)terms.buf;
    const uint32_t *off = (const uint32_t *)offsets.buf;
    Py_ssize_t nslots = slots.len / 12, nterms = offsets.len / 4 - 1;
    if (nslots == 0 || (nslots & (nslots - 1)) != 0) {
        PyErr_SetString(PyExc_ValueError, "foldscan(): slot count must be a power of two");
        goto done;
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    buf = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(uint16_t));
    if (buf == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    bounds = PyList_New(0);
    if (bounds == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        uint16_t f = map[c];
        if (f == 0xFFFF && c != 0xFFFF) { /* as fold16: this text takes the Python path */
            result = Py_NewRef(Py_None);
            goto done;
        }
        buf[i] = f;
        if (maybe_end[c & 0xFF]) { /* sentence ends of the text as given (positions() of the same chars) */
            for (Py_ssize_t j = 0; j < nends; j++) {
                if (c == endset[j]) {
                    PyObject *pos = PyLong_FromSsize_t(i);
                    if (pos == NULL || PyList_Append(bounds, pos) < 0) {
                        Py_XDECREF(pos);
                        goto done;
                    }
                    Py_DECREF(pos);
                    break;
                }
            }
        }
    }
    found = PyList_New(0);
    if (found == NULL)
        goto done;
    Py_ssize_t i = 0;
    while (i + 1 < n) {
        uint32_t c0 = buf[i], c1 = buf[i + 1];
        uint32_t h = bigram_hash(c0, c1);
        if (!(bits[h >> 3] & (1u << (h & 7)))) {
            i++;
            continue;
        }
        uint32_t key = (c0 << 16) | c1, first = 0, count = 0;
        for (Py_ssize_t s = h & (nslots - 1);; s = (s + 1) & (nslots - 1)) {
            const uint32_t *e = slot + 3 * s;
            if (e[0] == 0xFFFFFFFFu)
                break;
            if (e[0] == key) {
                first = e[1];
                count = e[2];
                break;
            }
        }
        Py_ssize_t end = -1, which = -1;
        for (uint32_t k = 0; k < count; k++) {
            uint32_t t = cand[first + k];
            if ((Py_ssize_t)t >= nterms || (Py_ssize_t)off[t + 1] * 2 > terms.len) {
                PyErr_SetString(PyExc_ValueError, "foldscan(): phrase number out of range");
                goto done;
            }
            Py_ssize_t len = (Py_ssize_t)(off[t + 1] - off[t]);
            if (len >= 2 && i + len <= n && memcmp(buf + i + 2, unit + off[t] + 2, (size_t)(len - 2) * sizeof(uint16_t)) == 0) {
                end = i + len;
                which = t;
                break;
            }
        }
        if (which < 0) {
            i++;
            continue;
        }
        PyObject *m = PyTuple_New(3);
        if (m == NULL)
            goto done;
        PyObject *a = PyLong_FromSsize_t(which), *b = PyLong_FromSsize_t(i), *z = PyLong_FromSsize_t(end);
        if (a == NULL || b == NULL || z == NULL) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_XDECREF(z);
            Py_DECREF(m);
            goto done;
        }
        PyTuple_SET_ITEM(m, 0, a);
        PyTuple_SET_ITEM(m, 1, b);
        PyTuple_SET_ITEM(m, 2, z);
        if (PyList_Append(found, m) < 0) {
            Py_DECREF(m);
            goto done;
        }
        Py_DECREF(m);
        i = end;
    }
    folded = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, buf, n);
    if (folded == NULL)
        goto done;
    result = PyTuple_Pack(3, folded, found, bounds);
done:
    Py_XDECREF(folded);
    Py_XDECREF(found);
    Py_XDECREF(bounds);
    PyMem_Free(buf);
    PyBuffer_Release(&table);
    PyBuffer_Release(&filt);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&cands);
    PyBuffer_Release(&terms);
    PyBuffer_Release(&offsets);
    return result;
}

/* positions(text, chars) -> list[int]: indexes of every character of text
 * that is one of chars (a handful: the sentence ends). */
static PyObject *positions(PyObject *self, PyObject *args) {
    PyObject *text, *chars;
    if (!PyArg_ParseTuple(args, "UU", &text, &chars))
        return NULL;
    int kind = PyUnicode_KIND(text), ckind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(text), *cdata = PyUnicode_DATA(chars);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), k = PyUnicode_GET_LENGTH(chars);
    if (k > 16) {
        PyErr_SetString(PyExc_ValueError, "positions() takes at most 16 characters");
        return NULL;
    }
    Py_UCS4 set[16];
    unsigned char maybe[256] = {0}; /* by low byte: most CJK characters are ruled out by one lookup */
    for (Py_ssize_t j = 0; j < k; j++) {
        set[j] = PyUnicode_READ(ckind, cdata, j);
        maybe[set[j] & 0xFF] = 1;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!maybe[c & 0xFF])
            continue;
        for (Py_ssize_t j = 0; j < k; j++) {
            if (c == set[j]) {
                PyObject *pos = PyLong_FromSsize_t(i);
                if (pos == NULL || PyList_Append(out, pos) < 0) {
                    Py_XDECREF(pos);
                    Py_DECREF(out);
                    return NULL;
                }
                Py_DECREF(pos);
                break;
            }
        }
    }
    return out;
}

/* ---- MinHash signature (pipeline.dedupe.minhash) ----
 *
 * Why C: the numpy version builds a 64 x shingles uint64 matrix per document
 * (~1.7 MB for 10 KB of Chinese) and importing numpy costs ~11 MB RSS in every
 * process that stores releases.  Here each shingle is hashed and folded into
 * the 64 running minima with no allocation besides the result.  The values are
 * exactly those of pipeline.dedupe._minhash_numpy (the reference; tests compare):
 *   shingle = SHINGLE consecutive code points of the (already punctuation-free)
 *             text, or the whole text if it is shorter (possibly empty);
 *   h       = zlib.crc32(shingle.encode("utf-8"));
 *   sig[k]  = min over shingles of ((a[k] * h + b[k]) mod 2**61-1), with the
 *             multiply and the add wrapping in uint64 as numpy's do.
 * Duplicate shingles cannot change a minimum, so no set is needed. */

#define MH_SHINGLE 4
#define MH_PRIME ((UINT64_C(1) << 61) - 1)
#define MH_MAX_PERM 1024

static uint32_t crc_table[256];

/* The reflected CRC-32 of zlib (polynomial 0xEDB88320), one byte at a time:
 * shingles are at most 16 bytes, so a bigger table would not pay. */
static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

/* Append the UTF-8 encoding of c to buf; returns the number of bytes (1-4). */
static int utf8_put(Py_UCS4 c, unsigned char *buf) {
    if (c < 0x80) {
        buf[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (unsigned char)(0xC0 | (c >> 6));
        buf[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (unsigned char)(0xE0 | (c >> 12));
        buf[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (unsigned char)(0xF0 | (c >> 18));
    buf[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    buf[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* crc32 of the UTF-8 encoding of text[start:start+len]. */
static uint32_t shingle_crc(int kind, const void *data, Py_ssize_t start, Py_ssize_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    unsigned char buf[4];
    for (Py_ssize_t i = start; i < start + len; i++) {
        int nb = utf8_put(PyUnicode_READ(kind, data, i), buf);
        for (int j = 0; j < nb; j++)
            crc = crc_table[(crc ^ buf[j]) & 0xFF] ^ (crc >> 8);
    }
    return crc ^ 0xFFFFFFFFu;
}

/* x mod 2**61-1 for any uint64: x = hi * 2**61 + lo and 2**61 = 1 (mod p), so
 * x = hi + lo (mod p), and hi + lo <= p + 7 needs at most one subtraction. */
static inline uint64_t mod_mersenne61(uint64_t x) {
    uint64_t r = (x & MH_PRIME) + (x >> 61);
    return r >= MH_PRIME ? r - MH_PRIME : r;
}

/* minhash(text, params) -> bytes | None: params holds n multipliers then n
 * offsets (native uint64); the result is n little-endian uint64 minima.  None
 * if text holds a surrogate code point, which str.encode would reject: the
 * caller's Python path then raises the same error it always did. */
static PyObject *minhash(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_buffer params;
    if (!PyArg_ParseTuple(args, "Uy*", &text, &params))
        return NULL;
    if (params.len == 0 || params.len % 16 != 0 || params.len / 16 > MH_MAX_PERM) {
        PyBuffer_Release(&params);
        PyErr_SetString(PyExc_ValueError, "minhash() needs 2*n uint64 parameters, 0 < n <= 1024");
        return NULL;
    }
    Py_ssize_t nperm = params.len / 16;
    uint64_t a[MH_MAX_PERM], b[MH_MAX_PERM], mins[MH_MAX_PERM];
    memcpy(a, params.buf, (size_t)nperm * 8);
    memcpy(b, (const char *)params.buf + nperm * 8, (size_t)nperm * 8);
    PyBuffer_Release(&params);

    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (kind != PyUnicode_1BYTE_KIND) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (c >= 0xD800 && c <= 0xDFFF)
                Py_RETURN_NONE;
        }
    }
    for (Py_ssize_t k = 0; k < nperm; k++)
        mins[k] = UINT64_MAX;
    Py_ssize_t count = n - MH_SHINGLE + 1;
    Py_ssize_t width = MH_SHINGLE;
    if (count < 1) { /* shorter than one shingle: the whole text is the only one */
        count = 1;
        width = n;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        uint64_t h = shingle_crc(kind, data, i, width);
        for (Py_ssize_t k = 0; k < nperm; k++) {
            uint64_t v = mod_mersenne61(a[k] * h + b[k]);
            if (v < mins[k])
                mins[k] = v;
        }
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, nperm * 8);
    if (out == NULL)
        return NULL;
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(out);
    for (Py_ssize_t k = 0; k < nperm; k++)
        for (int j = 0; j < 8; j++)
            *p++ = (unsigned char)(mins[k] >> (8 * j));
    return out;
}

static PyMethodDef methods[] = {
    {"positions", positions, METH_VARARGS, "Indexes of the characters of text that are among chars."},
    {"clean", clean, METH_O, "Whitespace cleanup of BMP text (see pipeline.cnfold.clean_whitespace)."},
    {"fold16", fold16, METH_VARARGS, "Fold BMP text through a code-unit table; (folded, UTF-16 bytes)."},
    {"foldscan", foldscan, METH_VARARGS, "Fold BMP text and find indexed phrases leftmost-longest (see pipeline.termindex)."},
    {"minhash", minhash, METH_VARARGS, "MinHash signature of punctuation-free text (see pipeline.dedupe.minhash)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textprep", NULL, -1, methods};

PyMODINIT_FUNC PyInit__textprep(void) {
    crc_init();
    return PyModule_Create(&module);
}
