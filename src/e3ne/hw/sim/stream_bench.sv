/******************************************************************************
 * @brief   Harness of a one-stream-in, one-stream-out self-checking bench.
 * @author  e3ne
 *
 * @description
 *  Wires stream_source (the N_IN beats of STIM_FILE into the DUT, GAP % idle
 *  cycles), stream_sink (the DUT's output against the N_OUT beats of
 *  EXP_FILE, rdy low STALL % of the cycles, handshake rules 2 and 3 and X
 *  checked) and bench_ctl (clock, reset, end of test, CYCLES/LATENCY lines
 *  and the verdict) around a DUT that the bench instantiates next to it.
 *  The bench passes avail (output beats the DUT may have produced by now;
 *  N_OUT when only the total is known) and the errors its own checks found;
 *  it may use sent and recv (transfers before the current edge) for them.
 *  Parameters as in the three modules.
 *****************************************************************************/

module stream_bench #(
	parameter int IW         = 8,           // bits per input beat
	parameter int OW         = 8,           // bits per output beat
	parameter int N_IN       = 1,           // beats in STIM_FILE
	parameter int N_OUT      = 1,           // beats in EXP_FILE
	parameter     STIM_FILE  = "in.mem",
	parameter     EXP_FILE   = "exp.mem",
	parameter int GAP        = 30,          // % of cycles the source idles (or +GAP=)
	parameter int STALL      = 30,          // % of cycles the sink is not ready (or +BP=)
	parameter int GROUP      = 0,           // > 0: output beats per group, for messages
	parameter int SEED       = 1,           // $urandom seed
	parameter int DRAIN      = 20,          // cycles after the last beat, for extra ones
	parameter int IDLE       = 0,           // > 0: give up after this many idle cycles
	parameter int LIMIT      = 0,           // > 0: give up at this cycle
	parameter int STANDALONE = 1,           // 1: $finish at the end; 0: a wrapper does
	parameter     NAME       = "stream_bench"
) (
	output logic           clk,
	output logic           rst,
	output int             cycle,     // cycles since reset
	input  logic           irdy,      // DUT input stream
	output logic           ivld,
	output logic [IW-1:0]  idat,
	output logic           ordy,      // DUT output stream
	input  logic           ovld,
	input  logic [OW-1:0]  odat,
	input  int             avail,     // output beats the DUT may have produced by now
	input  int             errors,    // errors found by the bench's own checks
	output int             sent,      // input transfers so far
	output int             recv,      // output transfers so far
	output logic           done,
	output logic           ok
);

	int  FirstIn, SrcErr, FirstOut, LastOut, SnkErr;

	stream_source #(.W(IW), .N(N_IN), .FILE(STIM_FILE), .GAP(GAP), .NAME(NAME)) src (
		.clk, .rst, .cycle, .rdy(irdy), .vld(ivld), .dat(idat),
		.sent, .first(FirstIn), .errors(SrcErr)
	);

	stream_sink #(.W(OW), .N(N_OUT), .FILE(EXP_FILE), .STALL(STALL), .GROUP(GROUP),
		.NAME(NAME)) snk (
		.clk, .rst, .cycle, .rdy(ordy), .vld(ovld), .dat(odat), .avail,
		.recv, .first(FirstOut), .last(LastOut), .errors(SnkErr)
	);

	bench_ctl #(.N_IN(N_IN), .N_OUT(N_OUT), .SEED(SEED), .DRAIN(DRAIN), .IDLE(IDLE),
		.LIMIT(LIMIT), .STANDALONE(STANDALONE), .NAME(NAME)) ctl (
		.clk, .rst, .cycle, .sent, .first_in(FirstIn), .recv, .first_out(FirstOut),
		.last_out(LastOut), .errors(SrcErr + SnkErr + errors), .done, .ok
	);

endmodule : stream_bench
