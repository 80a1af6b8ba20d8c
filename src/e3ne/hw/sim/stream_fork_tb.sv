/******************************************************************************
 * @brief   Self-checking bench for stream_fork.
 * @author  e3ne
 *
 * @description
 *  Sends the N beats of STIM_FILE (random words, written by
 *  tests/hw/test_stream_fork.py) with random input gaps (IGAP % of cycles
 *  idle) and scores both outputs against EXP_FILE (the same beats, in order),
 *  each with its own random back-pressure: ordy low OSTALL %, srdy low SSTALL %
 *  of the cycles (default: as OSTALL; plusarg +BP= sets both). Each
 *  stream_sink checks its output handshake (rules 2 and 3 of
 *  src/e3ne/hw/README.md, X) and flags a spurious beat: valid while every beat
 *  taken at an earlier edge has left (latency 1: no beat passes through in
 *  the cycle it is taken).
 *  Buffers: the beats taken and not yet out on o (on s) must never exceed 2,
 *  and irdy must be high exactly while both hold fewer than 2 (the header's
 *  rule for irdy).
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines (output side: the later of the
 *  two outputs; OUT counts the beats both outputs have delivered), then PASS
 *  or FAIL (missing beats after LIMIT cycles). STANDALONE = 1 ends the
 *  simulation with $finish; with STANDALONE = 0 a wrapper reads Done/Ok and
 *  finishes.
 *****************************************************************************/

module stream_fork_tb #(
	parameter int WIDTH      = 8,     // DUT: bits per beat
	parameter int N          = 2000,  // beats in STIM_FILE and EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,    // % of cycles the source idles
	parameter int OSTALL     = 30,    // % of cycles sink o holds ordy low
	parameter int SSTALL     = OSTALL,  // % of cycles sink s holds srdy low
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "stream_fork_tb"  // tag in the messages
);

	logic  clk, rst, irdy, ivld, ordy, ovld, srdy, svld, Done, Ok;
	logic [WIDTH-1:0]  idat, odat, sdat;
	int  Cycle, Sent, FirstIn, SrcErr;
	int  RecvO, FirstO, LastO, ErrO;
	int  RecvS, FirstS, LastS, ErrS;
	int  Errors = 0;  // buffer / irdy errors

	stream_fork #(.WIDTH(WIDTH)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat,
		.srdy, .svld, .sdat
	);

	stream_source #(.W(WIDTH), .N(N), .FILE(STIM_FILE), .GAP(IGAP), .NAME(NAME)) src (
		.clk, .rst, .cycle(Cycle), .rdy(irdy), .vld(ivld), .dat(idat),
		.sent(Sent), .first(FirstIn), .errors(SrcErr)
	);

	// a beat may leave from the edge after the one it is taken at
	stream_sink #(.W(WIDTH), .N(N), .FILE(EXP_FILE), .STALL(OSTALL), .NAME({NAME, ".o"})) snk_o (
		.clk, .rst, .cycle(Cycle), .rdy(ordy), .vld(ovld), .dat(odat), .avail(Sent),
		.recv(RecvO), .first(FirstO), .last(LastO), .errors(ErrO)
	);

	stream_sink #(.W(WIDTH), .N(N), .FILE(EXP_FILE), .STALL(SSTALL), .NAME({NAME, ".s"})) snk_s (
		.clk, .rst, .cycle(Cycle), .rdy(srdy), .vld(svld), .dat(sdat), .avail(Sent),
		.recv(RecvS), .first(FirstS), .last(LastS), .errors(ErrS)
	);

	bench_ctl #(.N_IN(N), .N_OUT(N), .SEED(SEED), .LIMIT(100 * N + 1000),
		.STANDALONE(STANDALONE), .NAME(NAME)) ctl (
		.clk, .rst, .cycle(Cycle), .sent(Sent), .first_in(FirstIn),
		.recv((RecvO < RecvS) ? RecvO : RecvS),
		.first_out((FirstO > FirstS) ? FirstO : FirstS),
		.last_out((LastO > LastS) ? LastO : LastS),
		.errors(SrcErr + ErrO + ErrS + Errors), .done(Done), .ok(Ok)
	);

	initial $display("%s: WIDTH=%0d, %0d beats, IGAP %0d OSTALL %0d SSTALL %0d",
		NAME, WIDTH, N, IGAP, OSTALL, SSTALL);

	// buffers: at most 2 beats each; irdy high exactly while both hold fewer than 2
	always @(posedge clk) begin
		if (!rst && (Sent - RecvO > 2 || Sent - RecvS > 2
				|| irdy !== (Sent - RecvO < 2 && Sent - RecvS < 2))) begin
			Errors <= Errors + 1;
			$display("FAIL %s: cycle %0d: irdy=%b with %0d beats held for o, %0d for s",
				NAME, Cycle, irdy, Sent - RecvO, Sent - RecvS);
		end
	end

endmodule : stream_fork_tb
