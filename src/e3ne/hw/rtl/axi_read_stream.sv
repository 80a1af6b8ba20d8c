/******************************************************************************
 * @brief   AXI4 read master: a run of memory words as a valid/ready stream.
 * @author  e3ne
 *
 * @description
 *  On start (taken while idle) it reads `beats` words of DATA_W bits from byte
 *  address `base` (a multiple of DATA_W/8) with INCR bursts on the AR/R
 *  channels of an AXI4 manager port and sends them, in address order, on the
 *  output stream (odat = one bus word, byte k of the word at base + k).  The
 *  weight image of a design (weights.bin) read from DDR feeds the weight
 *  loaders this way.
 *
 *  Bursts: at most BURST beats, and never across a multiple of BURST*DATA_W/8
 *  bytes (which divides 4 KB, so no burst crosses a 4 KB boundary, AXI4's
 *  rule): the first burst runs up to that boundary, the last one is shorter.
 *  One ID (0), so the R beats come back in order.
 *
 *  Outstanding reads and back-pressure: an AR is sent only while fewer than
 *  OUTSTANDING bursts are in flight (sent, their rlast beat not yet back) and
 *  once every word of the burst is reserved in the FIFO (DEPTH =
 *  OUTSTANDING*BURST words), so the R channel is never throttled by the
 *  output stream; rready is the FIFO's registered irdy, which the
 *  reservation keeps high.  A memory of latency L (AR accepted to first R
 *  beat) and one beat a cycle keeps the output busy every cycle when
 *  (OUTSTANDING-1)*BURST >= L + 2 (model: e3ne.hw.cores.axi_read_stream).
 *
 *  LOOP = 1: the run never ends.  The burst that requests the last of the `beats` words
 *  is followed by one from `base` again, so the stream repeats the words for ever, with
 *  no gap between passes beyond the memory's own (a layer whose weights are streamed
 *  reads them once per image this way); busy stays high until reset.
 *
 *  Built for a clock: AR outputs are registers; busy and err are registers;
 *  the output stream comes from the FIFO's registers.  err is set (sticky
 *  until the next start) by an R response other than OKAY or a base that is
 *  not a multiple of DATA_W/8; the words still flow, so the stream never
 *  hangs.  Only control state is reset.
 *****************************************************************************/

module axi_read_stream #(
	parameter int DATA_W      = 64,  // bus bits: a power of two, 8 .. 1024
	parameter int ADDR_W      = 32,  // address bits
	parameter int BURST       = 16,  // beats per burst at most: a power of two, 1 .. 256
	parameter int OUTSTANDING = 4,   // bursts in flight at most, >= 1
	parameter int LEN_W       = 24,  // bits of `beats`
	parameter int LOOP        = 0    // 1: read the words again and again (never idle)
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Command: read `beats` words from `base`
	input	logic  start,
	input	logic [ADDR_W-1:0]  base,
	input	logic [LEN_W-1:0]   beats,
	output	logic  busy,  // from start until the last word has left on the stream
	output	logic  err,   // an R response other than OKAY, or a misaligned base

	// AXI4 read address channel
	output	logic  m_axi_arvalid,
	input	logic  m_axi_arready,
	output	logic [ADDR_W-1:0]  m_axi_araddr,
	output	logic [7:0]  m_axi_arlen,
	output	logic [2:0]  m_axi_arsize,
	output	logic [1:0]  m_axi_arburst,

	// AXI4 read data channel
	input	logic  m_axi_rvalid,
	output	logic  m_axi_rready,
	input	logic [DATA_W-1:0]  m_axi_rdata,
	input	logic [1:0]  m_axi_rresp,
	input	logic  m_axi_rlast,

	// Output Stream: the words in address order
	input	logic  ordy,
	output	logic  ovld,
	output	logic [DATA_W-1:0]  odat
);

	localparam int BYTES = DATA_W / 8;
	localparam int AB    = $clog2(BYTES);             // byte-offset bits of a word
	localparam int BB    = $clog2(BURST);             // beat-offset bits within a burst block
	localparam int DEPTH = OUTSTANDING * BURST;       // FIFO words
	localparam int RW    = $clog2(DEPTH + 1) + 1;     // reservation count bits
	localparam int BW    = $clog2(BURST + 1);         // burst length bits
	localparam int CW    = LEN_W + BW;                // width to compare Left and room in
	localparam int FW    = $clog2(OUTSTANDING + 1);   // bursts-in-flight count bits

	initial begin
		if (DATA_W < 8 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin
			$error("%m: DATA_W (%0d) must be a power of two from 8 to 1024", DATA_W);
			$finish;
		end
		if (BURST < 1 || BURST > 256 || (BURST & (BURST - 1)) != 0 || BURST * BYTES > 4096) begin
			$error("%m: BURST (%0d) must be a power of two from 1 to 256 with BURST*DATA_W/8 <= 4096",
				BURST);
			$finish;
		end
		if (OUTSTANDING < 1 || ADDR_W < AB + BB + 1 || LEN_W < 1) begin
			$error("%m: OUTSTANDING (%0d) and LEN_W (%0d) must be >= 1, ADDR_W (%0d) >= %0d",
				OUTSTANDING, LEN_W, ADDR_W, AB + BB + 1);
			$finish;
		end
		if (LOOP < 0 || LOOP > 1) begin
			$error("%m: LOOP (%0d) must be 0 or 1", LOOP);
			$finish;
		end
	end

	//-------------------------------------------------------------------------
	// Requests
	logic  Run, Err;
	logic [LEN_W-1:0]   Left;   // words not yet requested
	logic [ADDR_W-1:0]  NAddr;  // byte address of the next request
	logic [ADDR_W-1:0]  Base;   // base and beats of the run (LOOP: where each pass starts)
	logic [LEN_W-1:0]   Beats;
	logic [RW-1:0]      Res;    // words requested and not yet sent on the stream
	logic [FW-1:0]      Fly;    // bursts requested whose last beat has not come back
	logic  ARVld;
	logic [ADDR_W-1:0]  ARAddr;
	logic [7:0]  ARLen;

	// the next burst: up to the next burst-block boundary, at most Left words
	logic [BW-1:0]  room;   // words to the boundary, 1 .. BURST
	logic [BW-1:0]  len;
	if (BB > 0) begin : genOff
		assign	room = BW'(BURST) - BW'(NAddr[AB +: BB]);
	end
	else begin : genOne
		assign	room = BW'(1);
	end
	assign	len = (CW'(Left) < CW'(room)) ? BW'(Left) : room;

	logic  pop;
	assign	pop = ovld && ordy;
	wire  fits  = (32'(Res) + 32'(len) <= DEPTH);
	wire  r_take = m_axi_rvalid && m_axi_rready;
	wire  r_end  = r_take && m_axi_rlast;
	wire  issue = Run && (Left != '0) && (!ARVld || m_axi_arready) && fits
		&& (32'(Fly) < OUTSTANDING);
	wire  wrap = (LOOP != 0) && (CW'(Left) == CW'(len));  // this burst ends a pass

	always_ff @(posedge clk) begin
		if (issue) begin
			ARAddr <= NAddr;
			ARLen  <= 8'(len) - 8'(1);
		end
		if (start && !Run) begin
			NAddr <= base;
			Base  <= base;
			Beats <= beats;
		end
		else if (issue)     NAddr <= wrap ? Base : NAddr + ADDR_W'(len) * ADDR_W'(BYTES);
	end

	always_ff @(posedge clk) begin
		if (rst) begin
			Run   <= 0;
			Err   <= 0;
			Left  <= '0;
			Res   <= '0;
			Fly   <= '0;
			ARVld <= 0;
		end
		else begin
			if (start && !Run) begin
				Run  <= 1;
				Left <= beats;
				Err  <= (AB > 0) && (base[(AB > 0 ? AB : 1) - 1:0] != '0);
			end
			else begin
				if (issue)  Left <= wrap ? Beats : Left - LEN_W'(len);
				if (Left == '0 && Res == '0 && !ARVld)  Run <= 0;
				if (r_take && m_axi_rresp != 2'b00)  Err <= 1;
			end
			Res <= Res + (issue ? RW'(len) : '0) - (pop ? RW'(1) : '0);
			Fly <= Fly + (issue ? FW'(1) : '0) - (r_end ? FW'(1) : '0);
			if (issue)  ARVld <= 1;
			else if (m_axi_arready)  ARVld <= 0;
		end
	end

	assign	m_axi_arvalid = ARVld;
	assign	m_axi_araddr  = ARAddr;
	assign	m_axi_arlen   = ARLen;
	assign	m_axi_arsize  = 3'(AB);
	assign	m_axi_arburst = 2'b01;  // INCR
	assign	busy = Run;
	assign	err  = Err;

	//-------------------------------------------------------------------------
	// The reserved words wait here for the stream
	stream_fifo #(.WIDTH(DATA_W), .DEPTH(DEPTH)) u_fifo (
		.clk, .rst,
		.irdy(m_axi_rready), .ivld(m_axi_rvalid), .idat(m_axi_rdata),
		.ordy, .ovld, .odat
	);

endmodule : axi_read_stream
