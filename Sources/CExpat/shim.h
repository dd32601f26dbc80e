// libexpat (Debian's libexpat1-dev): the XML parser caseql reads .xlsx sheets with.
#include <expat.h>
