/*
 * hv/core/insn_decode.c on the host, for tests/unit/test_insn_decode.py:
 * reads lines "MODE HEXBYTES", prints "len kind size reg_size reg high8
 * has_imm imm rep addr_size" for each (len 0: not decoded).
 */
#include <stdio.h>
#include <string.h>

#include <core/insn_decode.h>

int main(void)
{
	char line[256];
	unsigned mode;
	char hex[128];

	while (fgets(line, sizeof(line), stdin)) {
		u8 bytes[16] = { 0 };
		unsigned n = 0;
		struct insn_op op;

		if (sscanf(line, "%u %127s", &mode, hex) != 2)
			return 2;
		for (; n < 16 && hex[2 * n] && sscanf(hex + 2 * n, "%2hhx", &bytes[n]) == 1; n++)
			;
		unsigned len = insn_decode(bytes, n, mode, &op);
		printf("%u %d %u %u %u %d %d %llx %d %u\n", len, len ? (int)op.kind : 0, op.size,
		       op.reg_size, op.reg, op.high8, op.has_imm, (unsigned long long)op.imm,
		       op.rep, op.addr_size);
	}
	return 0;
}
