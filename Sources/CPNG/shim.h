#include <png.h>

static inline const char *cpng_version(void) { return PNG_LIBPNG_VER_STRING; }
