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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static int is_zero_width(Py_UCS4 c) {
    return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
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
        if (c >= 0x200B && is_zero_width(c))
            continue;
        if (Py_UNICODE_ISSPACE(c)) {
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

static PyMethodDef methods[] = {
    {"positions", positions, METH_VARARGS, "Indexes of the characters of text that are among chars."},
    {"clean", clean, METH_O, "Whitespace cleanup of BMP text (see pipeline.cnfold.clean_whitespace)."},
    {"fold16", fold16, METH_VARARGS, "Fold BMP text through a code-unit table; (folded, UTF-16 bytes)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_textprep", NULL, -1, methods};

PyMODINIT_FUNC PyInit__textprep(void) { return PyModule_Create(&module); }
