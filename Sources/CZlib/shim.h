// zlib (Debian's zlib1g-dev): inflates the members of .xlsx archives.
#include <zlib.h>
