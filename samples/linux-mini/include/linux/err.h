/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error values carried in pointers, reduced for the kcodemod sample tree.
 *
 * The top MAX_ERRNO addresses are never valid kernel pointers, so a
 * function returning a pointer can return -errno in it instead.
 */
#ifndef _LINUX_ERR_H
#define _LINUX_ERR_H

#include <linux/compiler.h>
#include <linux/types.h>

#define MAX_ERRNO	4095

#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

static inline void * __must_check ERR_PTR(long error)
{
	return (void *)error;
}

/* ERR_PTR() for functions returning a void __iomem * */
#define IOMEM_ERR_PTR(error) ((__force void __iomem *)ERR_PTR(error))

static inline long __must_check PTR_ERR(__force const void *ptr)
{
	return (long)ptr;
}

static inline bool __must_check IS_ERR(__force const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

/*
 * PTR_ERR_OR_ZERO - the error code in @ptr, or 0 when @ptr is a valid
 * pointer (NULL included)
 */
static inline int __must_check PTR_ERR_OR_ZERO(__force const void *ptr)
{
	if (IS_ERR(ptr))
		return PTR_ERR(ptr);

	return 0;
}

#endif /* _LINUX_ERR_H */
