/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How uvs functions fail with a reason: they return a negative errno and, when the
 * caller passed a struct uvs_error, a message saying what was wrong. One convention
 * for every layer.
 */
#ifndef UVS_BASE_ERROR_H
#define UVS_BASE_ERROR_H

/* A message explaining why something was refused; the return value carries the errno. */
struct uvs_error {
	char msg[256];
};

/* Fills err (may be NULL) with a message and returns -errnum. */
int uvs_errorf(struct uvs_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As uvs_errorf, with ": " and strerror(errnum) after the message: for a failed system
 * or library call. */
int uvs_syserrorf(struct uvs_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
