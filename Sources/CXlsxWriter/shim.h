// libxlsxwriter (Debian's libxlsxwriter-dev): caseql writes .xlsx workbooks through it.
#include <xlsxwriter.h>
