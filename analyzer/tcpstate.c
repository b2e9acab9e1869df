/* tcpstate.c - names of the TCP endpoint states and evidence kinds as stored in the database. */
#include "tcpstate.h"

static const char *const state_names[ST_MAX] = {
	[ST_UNKNOWN] = "UNKNOWN",         [ST_CLOSED] = "CLOSED",
	[ST_LISTEN] = "LISTEN",           [ST_SYN_SENT] = "SYN_SENT",
	[ST_SYN_RECEIVED] = "SYN_RECEIVED", [ST_ESTABLISHED] = "ESTABLISHED",
	[ST_FIN_WAIT_1] = "FIN_WAIT_1",   [ST_FIN_WAIT_2] = "FIN_WAIT_2",
	[ST_CLOSE_WAIT] = "CLOSE_WAIT",   [ST_CLOSING] = "CLOSING",
	[ST_LAST_ACK] = "LAST_ACK",       [ST_TIME_WAIT] = "TIME_WAIT",
};

static const char *const evidence_names[EVIDENCE_MAX] = {
	[EV_SEEN] = "seen", [EV_INFERRED] = "inferred", [EV_ASSUMED] = "assumed",
	[EV_TIMEOUT] = "timeout", [EV_END] = "end",
};

const char *tcpstate_name(int st)
{
	return (st >= 0 && st < ST_MAX) ? state_names[st] : "?";
}

const char *tcpstate_evidence_name(int ev)
{
	return (ev >= 0 && ev < EVIDENCE_MAX) ? evidence_names[ev] : "?";
}

int tcpstate_synchronized(int st)
{
	return st >= ST_ESTABLISHED && st < ST_MAX;
}
