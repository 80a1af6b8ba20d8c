/******************************************************************************
 * @brief   Self-checking bench for stream_fifo.
 * @author  e3ne
 *
 * @description
 *  Sends the N beats of STIM_FILE (random words, written by
 *  tests/hw/test_stream_fifo.py) with random input gaps (IGAP % of cycles
 *  idle) and random output back-pressure (ordy low OSTALL % of cycles), and
 *  scores every output beat against EXP_FILE (the same beats, in order).
 *  stream_sink checks the output handshake (rules 2 and 3 of
 *  src/e3ne/hw/README.md, X) and flags a spurious beat: ovld high while
 *  nothing sent is outstanding. Capacity: with fewer than DEPTH beats stored
 *  irdy must be high, and never more than DEPTH beats are stored.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL (missing
 *  beats after LIMIT cycles). STANDALONE = 1 ends the simulation with
 *  $finish; with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module stream_fifo_tb #(
	parameter int WIDTH      = 8,     // DUT: bits per beat
	parameter int DEPTH      = 4,     // DUT: capacity in beats
	parameter int N          = 2000,  // beats in STIM_FILE and EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,    // % of cycles the source idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "stream_fifo_tb"  // tag in the messages
);

	logic  clk, rst, irdy, ivld, ordy, ovld, Done, Ok;
	logic [WIDTH-1:0]  idat, odat;
	int  Cycle, Sent, Recv;
	int  Errors = 0;  // capacity errors

	stream_fifo #(.WIDTH(WIDTH), .DEPTH(DEPTH)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	// a beat may show as soon as it is taken (or on the edge it is taken)
	stream_bench #(.IW(WIDTH), .OW(WIDTH), .N_IN(N), .N_OUT(N), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .SEED(SEED), .LIMIT(100 * N + 1000),
		.STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .cycle(Cycle), .irdy, .ivld, .idat, .ordy, .ovld, .odat,
		.avail(Sent + (ivld && irdy ? 1 : 0)), .errors(Errors), .sent(Sent), .recv(Recv),
		.done(Done), .ok(Ok)
	);

	initial $display("%s: WIDTH=%0d DEPTH=%0d, %0d beats", NAME, WIDTH, DEPTH, N);

	// capacity: exactly DEPTH beats are taken while the output stalls
	always @(posedge clk) begin
		if (!rst && (Sent - Recv > DEPTH || (Sent - Recv < DEPTH && irdy !== 1))) begin
			Errors <= Errors + 1;
			$display("FAIL %s: cycle %0d: irdy=%b with %0d beats stored, DEPTH %0d",
				NAME, Cycle, irdy, Sent - Recv, DEPTH);
		end
	end

endmodule : stream_fifo_tb
