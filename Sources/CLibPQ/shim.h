#ifndef WARDEN_CLIBPQ_SHIM_H
#define WARDEN_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
