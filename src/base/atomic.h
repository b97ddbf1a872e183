/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared-memory accesses and spinning: the only place in src/ that names an atomic
 * builtin or a CPU instruction, so that the tree builds for any architecture liburcu
 * supports.
 *
 * Each name says the ordering its caller relies on, in C11's terms:
 *
 *   uvs_load_relaxed(p)          uvs_store_relaxed(p, v)
 *   uvs_load_acquire(p)          uvs_store_release(p, v)
 *   uvs_load_seq_cst(p)          uvs_store_seq_cst(p, v)
 *   uvs_add_relaxed(p, v)        uvs_sub_relaxed(p, v)      no result
 *   uvs_add_release(p, v)        uvs_sub_release(p, v)      no result
 *   uvs_or_relaxed(p, v)         uvs_and_relaxed(p, v)      no result
 *   uvs_or_release(p, v)                                    no result
 *   uvs_add_seq_cst(p, v)        uvs_sub_seq_cst(p, v)      no result
 *   uvs_add_return_relaxed(p, v)                            the new value
 *   uvs_fetch_and_seq_cst(p, v)                             the old value
 *   uvs_xchg_acquire(p, v)                                  the old value
 *   uvs_cmpxchg_release(p, old, new)   the value found (== old: it was replaced)
 *   uvs_cmpxchg_acquire(p, old, new)   the same, acquiring
 *   uvs_spin_lock(l), uvs_spin_unlock(l) on a uint8_t, 0 when free
 *   uvs_word_lock(w), uvs_word_unlock(w, v) bit 0 of a uintptr_t holding a value
 *   uvs_full_fence()             C11's sequentially consistent fence
 *
 * p points to a naturally aligned integer or pointer of 1, 2, 4 or 8 bytes. Every
 * relaxed use says at its call site why no ordering is needed there.
 *
 * Normally these are liburcu's uatomic_*, _CMM_LOAD_SHARED/_CMM_STORE_SHARED and
 * cmm_smp_* barriers, which may be stronger than the name: uatomic_add_return,
 * uatomic_xchg and uatomic_cmpxchg are full barriers; the others imply none, so a
 * release one takes cmm_smp_mb__before_uatomic_*().
 *
 * Under ThreadSanitizer the same names are the compiler's __atomic builtins with
 * exactly the named order. liburcu 0.13's x86 uatomic is inline assembly, which TSan
 * cannot see: it would report every pair of them as a race and find no order through
 * them. The builtins let TSan check the code as written, and check that no caller
 * relies on more order than its name says. (liburcu 0.14 added
 * CONFIG_RCU_USE_ATOMIC_BUILTINS for the same reason.)
 */
#ifndef UVS_BASE_ATOMIC_H
#define UVS_BASE_ATOMIC_H

#include <stdint.h>
#include <urcu/arch.h>
#include <urcu/system.h>
#include <urcu/uatomic.h>

/* 8-byte values (counters, times) must load and store whole. */
_Static_assert(sizeof(void *) == 8, "uvs needs a 64-bit machine");

#if defined(__SANITIZE_THREAD__)
#define UVS_ATOMIC_BUILTINS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UVS_ATOMIC_BUILTINS 1
#endif
#endif

#ifdef UVS_ATOMIC_BUILTINS

#define uvs_load_relaxed(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define uvs_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define uvs_load_seq_cst(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define uvs_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define uvs_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define uvs_store_seq_cst(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

#define uvs_add_relaxed(p, v) ((void)__atomic_add_fetch((p), (v), __ATOMIC_RELAXED))
#define uvs_sub_relaxed(p, v) ((void)__atomic_sub_fetch((p), (v), __ATOMIC_RELAXED))
#define uvs_add_release(p, v) ((void)__atomic_add_fetch((p), (v), __ATOMIC_RELEASE))
#define uvs_sub_release(p, v) ((void)__atomic_sub_fetch((p), (v), __ATOMIC_RELEASE))
#define uvs_or_relaxed(p, v)  ((void)__atomic_or_fetch((p), (v), __ATOMIC_RELAXED))
#define uvs_and_relaxed(p, v) ((void)__atomic_and_fetch((p), (v), __ATOMIC_RELAXED))
#define uvs_or_release(p, v)  ((void)__atomic_or_fetch((p), (v), __ATOMIC_RELEASE))
#define uvs_add_seq_cst(p, v) ((void)__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define uvs_sub_seq_cst(p, v) ((void)__atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST))

#define uvs_add_return_relaxed(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define uvs_fetch_and_seq_cst(p, v)  __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
/* GCC's TSan does not support a standalone fence: liburcu's, which it does not see. */
#define uvs_full_fence()       cmm_smp_mb()
#define uvs_xchg_acquire(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQUIRE)
/* A compare-and-exchange with order on success; returns the value found. */
#define uvs_cmpxchg_(p, old, new, order)                                                           \
	__extension__({                                                                            \
		__typeof__(*(p)) uvs_seen_ = (old);                                                \
		__atomic_compare_exchange_n((p), &uvs_seen_, (new), 0, (order), __ATOMIC_RELAXED); \
		uvs_seen_;                                                                         \
	})
#define uvs_cmpxchg_release(p, old, new) uvs_cmpxchg_((p), (old), (new), __ATOMIC_RELEASE)
#define uvs_cmpxchg_acquire(p, old, new) uvs_cmpxchg_((p), (old), (new), __ATOMIC_ACQUIRE)

#else /* liburcu */

/*
 * liburcu 0.13 has full barriers and write/read barriers but no acquire or release.
 * x86 (TSO) reorders only a store with a later load, so there an acquire or release
 * needs only the compiler held back (cmm_smp_rmb/wmb are compiler barriers), and a
 * sequentially consistent load needs no fence: every sequentially consistent write
 * below ends in a full barrier (C11's usual mapping onto x86). Elsewhere take the full
 * barrier; on arm64 liburcu 0.13's read and write barriers are full ones already.
 */
#if defined(__x86_64__) || defined(__i386__)
#define uvs_acquire_fence_()	  cmm_smp_rmb()
#define uvs_release_fence_()	  cmm_smp_wmb()
#define uvs_seq_cst_load_fence_() cmm_barrier()
/* liburcu's cmm_smp_mb() is MFENCE; the compiler's fence is a locked OR on the stack,
 * the same order for ordinary memory (what Linux's smp_mb() uses on x86-64) and far
 * cheaper: 100 ns less per new connection on this project's virtual machines. */
#define uvs_full_fence()	  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
#define uvs_full_fence()	  cmm_smp_mb()
#define uvs_acquire_fence_()	  cmm_smp_mb()
#define uvs_release_fence_()	  cmm_smp_mb()
#define uvs_seq_cst_load_fence_() cmm_smp_mb()
#endif

/*
 * The accesses themselves are liburcu's volatile _CMM_LOAD_SHARED/_CMM_STORE_SHARED.
 * CMM_LOAD_SHARED/CMM_STORE_SHARED add cmm_smp_rmc/wmc, a cache flush on a machine
 * without cache coherency (liburcu 0.13 supports none) and otherwise a compiler
 * barrier, which orders nothing on the CPU but costs the engine 2% more instructions.
 */
#define uvs_load_relaxed(p) _CMM_LOAD_SHARED(*(p))
#define uvs_load_acquire(p)                                                                        \
	__extension__({                                                                            \
		__typeof__(*(p)) uvs_v_ = _CMM_LOAD_SHARED(*(p));                                  \
		uvs_acquire_fence_();                                                              \
		uvs_v_;                                                                            \
	})
#define uvs_load_seq_cst(p)                                                                        \
	__extension__({                                                                            \
		uvs_seq_cst_load_fence_();                                                         \
		__typeof__(*(p)) uvs_v_ = _CMM_LOAD_SHARED(*(p));                                  \
		uvs_acquire_fence_();                                                              \
		uvs_v_;                                                                            \
	})
#define uvs_store_relaxed(p, v) ((void)_CMM_STORE_SHARED(*(p), (v)))
#define uvs_store_release(p, v)                                                                    \
	do {                                                                                       \
		uvs_release_fence_();                                                              \
		_CMM_STORE_SHARED(*(p), (v));                                                      \
	} while (0)
#define uvs_store_seq_cst(p, v)                                                                    \
	do {                                                                                       \
		uvs_full_fence();                                                                  \
		_CMM_STORE_SHARED(*(p), (v));                                                      \
		uvs_full_fence();                                                                  \
	} while (0)

#define uvs_add_relaxed(p, v) uatomic_add((p), (v))
#define uvs_sub_relaxed(p, v) uatomic_sub((p), (v))
#define uvs_add_release(p, v)                                                                      \
	do {                                                                                       \
		cmm_smp_mb__before_uatomic_add();                                                  \
		uatomic_add((p), (v));                                                             \
	} while (0)
#define uvs_sub_release(p, v)                                                                      \
	do {                                                                                       \
		cmm_smp_mb__before_uatomic_sub();                                                  \
		uatomic_sub((p), (v));                                                             \
	} while (0)
#define uvs_or_relaxed(p, v)  uatomic_or((p), (v))
#define uvs_and_relaxed(p, v) uatomic_and((p), (v))
#define uvs_or_release(p, v)                                                                       \
	do {                                                                                       \
		cmm_smp_mb__before_uatomic_or();                                                   \
		uatomic_or((p), (v));                                                              \
	} while (0)
#define uvs_add_seq_cst(p, v) ((void)uatomic_add_return((p), (v)))
#define uvs_sub_seq_cst(p, v) ((void)uatomic_sub_return((p), (v)))

#define uvs_add_return_relaxed(p, v) uatomic_add_return((p), (v))
/* liburcu has no and that returns the old value: a compare-and-exchange loop. */
#define uvs_fetch_and_seq_cst(p, v)                                                                \
	__extension__({                                                                            \
		__typeof__(p) uvs_p_ = (p);                                                        \
		__typeof__(*uvs_p_) uvs_old_ = _CMM_LOAD_SHARED(*uvs_p_), uvs_seen_;               \
		while ((uvs_seen_ = uatomic_cmpxchg(uvs_p_, uvs_old_,                              \
						    (__typeof__(uvs_old_))(uvs_old_ & (v)))) !=    \
		       uvs_old_)                                                                   \
			uvs_old_ = uvs_seen_;                                                      \
		uvs_old_;                                                                          \
	})
#define uvs_xchg_acquire(p, v)		 uatomic_xchg((p), (v))
#define uvs_cmpxchg_release(p, old, new) uatomic_cmpxchg((p), (old), (new))
#define uvs_cmpxchg_acquire(p, old, new) uatomic_cmpxchg((p), (old), (new))

#endif /* liburcu */

/*
 * A byte spinlock, for sections of a few instructions. Waiters spin on a plain read,
 * so that the line stays shared until the holder's release, and pause in between.
 */
static inline void uvs_spin_lock(uint8_t *l)
{
	while (uvs_xchg_acquire(l, 1))
		/* Relaxed: only a hint that trying again may succeed; the exchange decides. */
		while (uvs_load_relaxed(l))
			caa_cpu_relax();
}

static inline void uvs_spin_unlock(uint8_t *l)
{
	uvs_store_release(l, 0);
}

/*
 * A lock in bit 0 of a word whose other bits hold a value (an aligned pointer), so
 * that the lock lives on the line its holder changes anyway. uvs_word_lock() returns
 * the value (bit 0 clear); uvs_word_unlock() stores the value the holder leaves and
 * frees the lock in one release. Readers that do not lock mask the bit off.
 */
#define UVS_WORD_LOCKED ((uintptr_t)1)

static inline uintptr_t uvs_word_lock(uintptr_t *w)
{
	for (;;) {
		/* Relaxed: a first look; the exchange decides, and acquires. */
		uintptr_t v = uvs_load_relaxed(w);

		if (!(v & UVS_WORD_LOCKED) && uvs_cmpxchg_acquire(w, v, v | UVS_WORD_LOCKED) == v)
			return v;
		caa_cpu_relax();
	}
}

static inline void uvs_word_unlock(uintptr_t *w, uintptr_t v)
{
	uvs_store_release(w, v);
}

#endif
