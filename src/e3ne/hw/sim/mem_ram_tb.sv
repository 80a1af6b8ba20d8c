/******************************************************************************
 * @brief   Self-checking bench for mem_ram.
 * @author  e3ne
 *
 * @description
 *  Drives the memory with the N commands of STIM_FILE (random, written by
 *  tests/hw/test_mem_ram.py), one command per input beat of CW bits:
 *      [0 +: WIDTH]          wdat
 *      [WIDTH +: AW]         waddr
 *      [WIDTH + AW]          wr     (write wdat to waddr; ignored by a ROM)
 *      [WIDTH + AW + 1 +: AW] raddr
 *      [WIDTH + 2*AW + 1]    rd     (read raddr)
 *  A command is applied on the edge it is taken: we = take && wr, re = take &&
 *  rd.  Each read's word leaves as one output beat, scored by stream_sink
 *  against EXP_FILE (the N_OUT words read, in order; a word written by the
 *  same command is read with its old value).  RD_REG = 1: odat is the DUT's
 *  read register itself, so it must hold while re is low (output stalls,
 *  idle input); the bench also checks that on every edge.  RD_REG = 0: the
 *  combinational rdat is captured into an output register on the take edge.
 *  The next command is taken once the previous word has left (irdy = !ovld ||
 *  ordy), so without gaps and stalls one command moves per cycle and N
 *  commands ending with a read take N + 1 cycles.
 *
 *  Random input gaps (IGAP % of cycles idle) and output back-pressure (ordy
 *  low OSTALL % of cycles). Reports as bench_ctl: CYCLES/LATENCY lines, then
 *  PASS or FAIL. STANDALONE = 1 ends the simulation with $finish; with
 *  STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module mem_ram_tb #(
	parameter int DEPTH      = 16,    // DUT: words
	parameter int WIDTH      = 8,     // DUT: bits per word
	parameter int STYLE      = 0,     // DUT: 0 LUTs, 1 block RAM
	parameter int WRITE      = 1,     // DUT: 1 RAM, 0 ROM
	parameter int RD_REG     = 1,     // DUT: 1 registered read, 0 combinational
	parameter     INIT_FILE  = "",    // DUT: $readmemh image, "" for none
	parameter int N          = 2000,  // commands in STIM_FILE
	parameter int N_OUT      = 1000,  // reads among them (words in EXP_FILE)
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,    // % of cycles the source idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "mem_ram_tb"  // tag in the messages
);

	localparam int AW = ($clog2(DEPTH) > 0)? $clog2(DEPTH) : 1;
	localparam int CW = WIDTH + 2*AW + 2;   // command bits

	logic  clk, rst, irdy, ivld, ordy, ovld, Done, Ok;
	logic [CW-1:0]  idat;
	logic [WIDTH-1:0]  odat, rdat;
	int  Cycle, Sent, Recv;
	int  Reads = 0;    // read commands taken
	int  Errors = 0;   // read-register hold errors

	logic  take, c_wr, c_rd, we, re;
	logic [AW-1:0]  c_waddr, c_raddr;
	logic [WIDTH-1:0]  c_wdat;
	logic  OVld;

	assign	c_wdat = idat[0 +: WIDTH];
	assign	c_waddr = idat[WIDTH +: AW];
	assign	c_wr = idat[WIDTH + AW];
	assign	c_raddr = idat[WIDTH + AW + 1 +: AW];
	assign	c_rd = idat[WIDTH + 2*AW + 1];
	assign	irdy = !OVld || ordy;
	assign	take = ivld && irdy;
	assign	we = take && c_wr;
	assign	re = take && c_rd;

	mem_ram #(.DEPTH(DEPTH), .WIDTH(WIDTH), .STYLE(STYLE), .WRITE(WRITE), .RD_REG(RD_REG),
		.INIT_FILE(INIT_FILE)) dut (
		.clk,
		.we, .waddr(c_waddr), .wdat(c_wdat),
		.re, .raddr(c_raddr), .rdat
	);

	always @(posedge clk) begin
		if (rst)  OVld <= 0;
		else if (take)  OVld <= c_rd;
		else if (ordy)  OVld <= 0;
		if (!rst && re)  Reads <= Reads + 1;
	end

	if (RD_REG == 1) begin : genRegRead
		logic  ReQ = 0;
		logic [WIDTH-1:0]  RdatQ;
		assign	odat = rdat;
		// rdat changes only on an edge where re was high
		always @(posedge clk) begin
			if (!rst && !ReQ && rdat !== RdatQ) begin
				Errors <= Errors + 1;
				$display("FAIL %s: cycle %0d: rdat %h changed to %h with re low", NAME, Cycle,
					RdatQ, rdat);
			end
			ReQ <= re;
			RdatQ <= rdat;
		end
	end : genRegRead
	else begin : genCombRead
		logic [WIDTH-1:0]  ODat;
		assign	odat = ODat;
		always @(posedge clk) begin
			if (re)  ODat <= rdat;
		end
	end : genCombRead
	assign	ovld = OVld;

	stream_bench #(.IW(CW), .OW(WIDTH), .N_IN(N), .N_OUT(N_OUT), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .SEED(SEED), .LIMIT(100 * N + 1000),
		.STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .cycle(Cycle), .irdy, .ivld, .idat, .ordy, .ovld, .odat,
		.avail(Reads), .errors(Errors), .sent(Sent), .recv(Recv),
		.done(Done), .ok(Ok)
	);

	initial $display("%s: DEPTH=%0d WIDTH=%0d STYLE=%0d WRITE=%0d RD_REG=%0d INIT_FILE=\"%0s\", %0d commands, %0d reads",
		NAME, DEPTH, WIDTH, STYLE, WRITE, RD_REG, INIT_FILE, N, N_OUT);

endmodule : mem_ram_tb
