/**
 * @brief   Self-checking bench of weight_load.sv.
 * @author  e3ne
 * @description
 *  STIM_FILE holds DEPTH*NB + NX random BUS-bit beats (NB = ceil(WIDTH/BUS)); WORD_FILE the
 *  DEPTH words the first DEPTH*NB of them make (little end first); EXP_FILE the NX beats
 *  after them, which must leave on the output stream.  Every write is checked as it
 *  happens: addresses 0, 1, .. in order, each word as WORD_FILE says, none after done,
 *  and done high once all DEPTH are written.  Input gaps (IGAP %) and output back-pressure
 *  (OSTALL %) as stream_bench; unstalled, the last beat leaves one cycle after the last
 *  one enters (no bubble between the loader's words and the pass-through).  Written by
 *  tests/hw/test_weight_load.py.
 */
module weight_load_tb #(
	parameter int BUS        = 16,
	parameter int DEPTH      = 8,
	parameter int WIDTH      = 20,
	parameter int NX         = 16,     // beats after the words (>= 1)
	parameter     STIM_FILE  = "stim.hex",
	parameter     WORD_FILE  = "words.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,
	parameter int OSTALL     = 30,
	parameter int SEED       = 1,
	parameter int STANDALONE = 1,
	parameter     NAME       = "weight_load_tb"
);
	localparam int NB = (WIDTH + BUS - 1)/BUS;
	localparam int AW = ($clog2(DEPTH) > 0)? $clog2(DEPTH) : 1;
	localparam int N_IN = DEPTH*NB + NX;

	logic  clk, rst, irdy, ivld, ordy, ovld, Done, Ok;
	logic [BUS-1:0]  idat, odat;
	logic  we, done;
	logic [AW-1:0]  waddr;
	logic [WIDTH-1:0]  wdat;
	int  Cycle, Sent, Recv;
	int  Writes = 0, Errors = 0;
	logic [WIDTH-1:0]  Words [0:DEPTH-1];

	initial $readmemh(WORD_FILE, Words);

	weight_load #(.BUS(BUS), .DEPTH(DEPTH), .WIDTH(WIDTH)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat,
		.we, .waddr, .wdat, .done
	);

	// a pass-through beat may show once taken; the last write must be in by then
	stream_bench #(.IW(BUS), .OW(BUS), .N_IN(N_IN), .N_OUT(NX), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .SEED(SEED), .LIMIT(100 * N_IN + 1000),
		.STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .cycle(Cycle), .irdy, .ivld, .idat, .ordy, .ovld, .odat,
		.avail((Sent > DEPTH*NB)? Sent - DEPTH*NB : 0),
		.errors(Errors + ((Recv == NX && Writes != DEPTH)? 1 : 0)), .sent(Sent), .recv(Recv),
		.done(Done), .ok(Ok)
	);

	initial $display("%s: BUS=%0d DEPTH=%0d WIDTH=%0d, %0d beats", NAME, BUS, DEPTH, WIDTH, N_IN);

	always @(posedge clk) begin
		if (!rst) begin
			if (we) begin
				if (Writes >= DEPTH || 32'(waddr) != Writes || wdat !== Words[Writes]) begin
					Errors <= Errors + 1;
					$display("FAIL %s: cycle %0d: write %0d: address %0d, word %h (expected %0d, %h)",
						NAME, Cycle, Writes, waddr, wdat, Writes, Words[Writes % DEPTH]);
				end
				Writes <= Writes + 1;
			end
			if (done !== (Writes == DEPTH || (we && Writes == DEPTH - 1))) begin
				Errors <= Errors + 1;
				$display("FAIL %s: cycle %0d: done=%b after %0d writes", NAME, Cycle, done, Writes);
			end
			if (!done && irdy !== 1) begin
				Errors <= Errors + 1;
				$display("FAIL %s: cycle %0d: irdy low while loading", NAME, Cycle);
			end
		end
	end

endmodule : weight_load_tb
