/**
 * @brief   Self-checking bench of axi_read_arb.sv: three axi_read_stream managers share one
 *          memory port.
 * @author  e3ne
 * @description
 *  axi_read_mem holds WORDS random words ($urandom, seeded) from byte address 0.  Manager
 *  i reads BEATS_i words from word BASE_i (manager 2 with LOOP = 1: again and again), its
 *  output stream taking a word on about (100 - OSTALL) % of the cycles.  Every word that
 *  leaves a manager is compared with the memory word it must be (manager 2's: pass after
 *  pass); PASSES passes of manager 2 and the whole runs of the others must arrive.  Under
 *  +STALLS (or STALLS = 1) the memory stalls arready and rvalid too.  axi_read_mem checks
 *  every AR (INCR, whole words, inside the memory, no 4 KB crossing).  Prints
 *  "ARB <cycles>" then PASS, or FAIL with the first wrong word; written by
 *  tests/hw/test_axi_read_arb.py.
 */
module axi_read_arb_tb #(
	parameter int DATA_W  = 64,
	parameter int BURST   = 8,
	parameter int LAT     = 12,
	parameter int OSTALL  = 30,
	parameter int STALLS  = 1,
	parameter int PASSES  = 3,
	parameter int SEED    = 1,
	parameter int BASE0 = 3,   parameter int BEATS0 = 57,
	parameter int BASE1 = 100, parameter int BEATS1 = 40,
	parameter int BASE2 = 161, parameter int BEATS2 = 23
);
	localparam int N = 3;
	localparam int ADDR_W = 32;
	localparam int BYTES = DATA_W / 8;
	localparam int WORDS = 512;
	localparam int OUTST = 2;
	// manager i's first word, words a pass, and words to receive (functions: Icarus 11 has
	// no array parameters)
	function automatic int base_of(input int i);
		return (i == 0)? BASE0 : (i == 1)? BASE1 : BASE2;
	endfunction
	function automatic int beats_of(input int i);
		return (i == 0)? BEATS0 : (i == 1)? BEATS1 : BEATS2;
	endfunction
	function automatic int want_of(input int i);
		return (i == 2)? PASSES*BEATS2 : beats_of(i);
	endfunction

	logic  clk = 0, rst = 1;
	always #5 clk = ~clk;
	int  Cycle = 0;
	always @(posedge clk) Cycle <= Cycle + 1;

	logic [N-1:0]  arvalid, arready, rvalid, rready;
	logic [N*ADDR_W-1:0]  araddr;
	logic [N*8-1:0]  arlen;
	logic [N*3-1:0]  arsize;
	logic [N*2-1:0]  arburst;
	logic [DATA_W-1:0]  rdata;
	logic [1:0]  rresp;
	logic  rlast;
	logic  m_arvalid, m_arready, m_rvalid, m_rready, m_rlast;
	logic [ADDR_W-1:0]  m_araddr;
	logic [7:0]  m_arlen;
	logic [2:0]  m_arsize;
	logic [1:0]  m_arburst, m_rresp;
	logic [DATA_W-1:0]  m_rdata;
	logic [N-1:0]  ovld, ordy, err;
	logic [N*DATA_W-1:0]  odat;
	int  MemErrors;
	logic  stalls;
	logic  go = 0;   // one start, the cycle after reset
	always @(posedge clk) go <= rst;

	for (genvar i = 0; i < N; i++) begin : genMgr
		axi_read_stream #(.DATA_W(DATA_W), .ADDR_W(ADDR_W), .BURST(BURST), .OUTSTANDING(OUTST),
			.LEN_W(16), .LOOP((i == 2)? 1 : 0)) u_mgr (
			.clk, .rst,
			.start(go && !rst), .base(ADDR_W'(base_of(i) * BYTES)), .beats(16'(beats_of(i))), .busy(),
			.err(err[i]),
			.m_axi_arvalid(arvalid[i]), .m_axi_arready(arready[i]),
			.m_axi_araddr(araddr[i*ADDR_W +: ADDR_W]), .m_axi_arlen(arlen[i*8 +: 8]),
			.m_axi_arsize(arsize[i*3 +: 3]), .m_axi_arburst(arburst[i*2 +: 2]),
			.m_axi_rvalid(rvalid[i]), .m_axi_rready(rready[i]), .m_axi_rdata(rdata),
			.m_axi_rresp(rresp), .m_axi_rlast(rlast),
			.ordy(ordy[i]), .ovld(ovld[i]), .odat(odat[i*DATA_W +: DATA_W])
		);
	end : genMgr

	axi_read_arb #(.N(N), .DATA_W(DATA_W), .ADDR_W(ADDR_W), .DEPTH(N*OUTST)) dut (
		.clk, .rst,
		.s_arvalid(arvalid), .s_arready(arready), .s_araddr(araddr), .s_arlen(arlen),
		.s_arsize(arsize), .s_arburst(arburst),
		.s_rvalid(rvalid), .s_rready(rready), .s_rdata(rdata), .s_rresp(rresp), .s_rlast(rlast),
		.m_axi_arvalid(m_arvalid), .m_axi_arready(m_arready), .m_axi_araddr(m_araddr),
		.m_axi_arlen(m_arlen), .m_axi_arsize(m_arsize), .m_axi_arburst(m_arburst),
		.m_axi_rvalid(m_rvalid), .m_axi_rready(m_rready), .m_axi_rdata(m_rdata),
		.m_axi_rresp(m_rresp), .m_axi_rlast(m_rlast)
	);

	axi_read_mem #(.DATA_W(DATA_W), .ADDR_W(ADDR_W), .WORDS(WORDS), .BASE(0), .LAT(LAT)) u_mem (
		.clk, .rst, .stalls,
		.arvalid(m_arvalid), .arready(m_arready), .araddr(m_araddr), .arlen(m_arlen),
		.arsize(m_arsize), .arburst(m_arburst),
		.rvalid(m_rvalid), .rready(m_rready), .rdata(m_rdata), .rresp(m_rresp), .rlast(m_rlast),
		.errors(MemErrors)
	);

	int  Got [0:N-1];
	int  Errors = 0;
	int  ostall = OSTALL;
	int  seed, r;
	initial begin
		seed = SEED;
		r = $urandom(seed);
		for (int a = 0; a < WORDS; a++)
			for (int b = 0; b < DATA_W; b += 32)
				u_mem.Mem[a][b +: 32] = $urandom;
		for (int i = 0; i < N; i++)  Got[i] = 0;
		stalls = STALLS != 0 || $test$plusargs("STALLS");
		if ($test$plusargs("NOSTALLS")) begin
			stalls = 0;
			ostall = 0;
		end
		repeat (3) @(posedge clk);
		rst = 0;
	end

	logic  AllIn = 0;   // every manager has its words
	always @(posedge clk)
		AllIn <= Got[0] >= want_of(0) && Got[1] >= want_of(1) && Got[2] >= want_of(2);

	always @(posedge clk) begin
		for (int i = 0; i < N; i++) begin
			ordy[i] <= !rst && 32'($urandom % 100) >= ostall;
			if (ovld[i] && ordy[i]) begin
				if (Got[i] >= want_of(i)) begin
					if (i != 2) begin
						$display("FAIL manager %0d: word %0d past its %0d", i, Got[i], want_of(i));
						Errors++;
					end
				end
				else if (odat[i*DATA_W +: DATA_W] !== u_mem.Mem[base_of(i) + Got[i] % beats_of(i)]) begin
					$display("FAIL manager %0d: word %0d is %h, memory word %0d is %h", i, Got[i],
						odat[i*DATA_W +: DATA_W], base_of(i) + Got[i] % beats_of(i),
						u_mem.Mem[base_of(i) + Got[i] % beats_of(i)]);
					Errors++;
				end
				Got[i] <= Got[i] + 1;
			end
		end
		if (!rst && err != '0) begin
			$display("FAIL err %b at cycle %0d", err, Cycle);
			Errors++;
		end
	end

	initial begin
		while (rst)  @(posedge clk);
		while (!AllIn && Cycle < 100000)  @(posedge clk);
		repeat (20) @(posedge clk);
		if (Got[0] != want_of(0) || Got[1] != want_of(1) || Got[2] < want_of(2)) begin
			$display("FAIL words %0d %0d %0d of %0d %0d %0d", Got[0], Got[1], Got[2],
				want_of(0), want_of(1), want_of(2));
			Errors++;
		end
		$display("ARB %0d", Cycle);
		if (Errors == 0 && MemErrors == 0)  $display("PASS");
		else  $display("FAIL %0d errors, %0d memory errors", Errors, MemErrors);
		$finish;
	end

endmodule : axi_read_arb_tb
