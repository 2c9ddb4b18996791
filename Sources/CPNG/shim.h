#ifndef STEXPLAIN_CPNG_SHIM_H
#define STEXPLAIN_CPNG_SHIM_H
#include <png.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>

/* libpng reports an error by calling an error function that must not return: it has to jump
   back to a setjmp point. Swift can neither set one nor be jumped over, so the whole encoding
   runs inside stexplain_png_encode_rgb below, and the error function records libpng's message and
   jumps back there. Only C frames (libpng and zlib) lie between the two; the Swift write
   callback has always returned before libpng can fail. */

/* Where an error jumps to, and libpng's message. */
typedef struct {
    jmp_buf resume;
    char message[256];
} stexplain_png_failure;

/* Copies `text` into `message`, NUL-terminated and truncated to `message_size` bytes. */
static inline void stexplain_png_copy_message(char *message, size_t message_size, const char *text) {
    if (message_size == 0) return;
    strncpy(message, text, message_size - 1);
    message[message_size - 1] = '\0';
}

static inline void stexplain_png_on_error(png_structp png, png_const_charp message) {
    stexplain_png_failure *failure = (stexplain_png_failure *)png_get_error_ptr(png);
    stexplain_png_copy_message(failure->message, sizeof failure->message, message ? message : "unknown libpng error");
    longjmp(failure->resume, 1);
}

/* Warnings (e.g. about ancillary chunks) do not stop the encoding and are not shown. */
static inline void stexplain_png_on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

/* Frees what png_create_write_struct and png_create_info_struct made (either may be NULL). */
static inline void stexplain_png_destroy(png_structp png, png_infop info) {
    png_destroy_write_struct(&png, &info);
}

/* Encodes `height` rows of `width` 8-bit RGB pixels (interleaved, row-major, top row first) as one
   PNG stream — no interlacing, libpng's default filters and zlib level — passing the bytes to
   `write` with `sink` as libpng's io pointer (png_get_io_ptr). Returns 0, or -1 with libpng's
   reason in `message` (NUL-terminated, truncated to `message_size` bytes). */
static inline int stexplain_png_encode_rgb(const unsigned char *pixels, png_uint_32 width, png_uint_32 height,
                                           png_rw_ptr write, void *sink, char *message, size_t message_size) {
    stexplain_png_failure failure;
    /* Assigned after setjmp and read after the jump, so volatile. */
    png_structp volatile png = NULL;
    png_infop volatile info = NULL;
    failure.message[0] = '\0';
    if (setjmp(failure.resume)) {
        stexplain_png_destroy(png, info);
        stexplain_png_copy_message(message, message_size, failure.message);
        return -1;
    }
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, stexplain_png_on_error, stexplain_png_on_warning);
    if (!png) {
        stexplain_png_copy_message(message, message_size, "cannot allocate the PNG writer");
        return -1;
    }
    info = png_create_info_struct(png);
    if (!info) png_error(png, "cannot allocate the PNG header");
    png_set_write_fn(png, sink, write, NULL);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (png_uint_32 row = 0; row < height; row++) {
        png_write_row(png, pixels + (size_t)row * width * 3);
    }
    png_write_end(png, info);
    stexplain_png_destroy(png, info);
    return 0;
}
#endif
