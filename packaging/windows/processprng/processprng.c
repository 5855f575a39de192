/*
 * bcryptprimitives.dll stand-in for running Go programs under Wine.
 *
 * Go 1.22 and later read all randomness on Windows from ProcessPrng in
 * bcryptprimitives.dll (loaded from System32 only) and stop at start-up when
 * it is missing. Windows 10 and later have it; Wine 8 (Debian 12) does not.
 * This DLL exports ProcessPrng and fills the buffer from RtlGenRandom
 * (SystemFunction036 in advapi32.dll), which Wine implements. It is built by
 * scripts/wine-env and copied into the Wine prefix's system32 only; it is never
 * shipped with TrainPay, whose users run a real Windows.
 */
#include <windows.h>

/* RtlGenRandom: declared by hand because the SDK header exposes it only
 * under a macro that depends on the SDK flavour. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills data with size random bytes. The real one never fails
 * and always returns TRUE; a failing source here must not hand Go
 * predictable bytes, so it ends the process instead. RtlGenRandom takes a
 * ULONG length, so larger requests are served in pieces. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
	while (size > 0) {
		ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
		if (!SystemFunction036(data, chunk))
			ExitProcess(3);
		data += chunk;
		size -= chunk;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance;
	(void)reason;
	(void)reserved;
	return TRUE;
}
