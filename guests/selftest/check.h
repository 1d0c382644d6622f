/* Assertions for guest-side tests: report and count, never stop. */
#ifndef SELFTEST_CHECK_H
#define SELFTEST_CHECK_H

extern int check_failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			check_failures++;                                    \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);          \
		if (a_ != b_) {                                              \
			printf("check failed: %s == %s: 0x%llx != 0x%llx (%s:%d)\n", \
			       #a, #b, a_, b_, __FILE__, __LINE__);          \
			check_failures++;                                    \
		}                                                            \
	} while (0)

#endif
