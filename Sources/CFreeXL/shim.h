// libfreexl (Debian's libfreexl-dev): the reader of legacy Excel 97–2003 .xls workbooks.
#include <freexl.h>
