/******************************************************************************
 * @brief   AXI4 read arbiter: N read managers (axi_read_stream.sv) on one port.
 * @author  e3ne
 *
 * @description
 *  The weight fetchers of a design (the UltraRAM loader's, one per layer whose weights
 *  are streamed) share the design's one m_axi port.  Read-address channel: when the
 *  output AR register is free (or being taken), the arbiter grants one manager whose
 *  arvalid is high, round robin starting after the last one granted, copies its AR into
 *  the register and notes the manager's index in a route FIFO.  Every burst carries ID 0,
 *  so the subordinate answers the bursts in AR order: the route FIFO's head names the
 *  manager that owns the R beats now coming, up to and including the one with rlast.
 *
 *  A manager's R beats go to it alone (s_rvalid[i] high only for the head's manager);
 *  rdata, rresp and rlast are shared wires.  m_rready is the head manager's rready, a
 *  mux of registers (an axi_read_stream's rready is its FIFO's registered irdy, kept high
 *  by its reservation), so no manager's R channel can hold up another's for longer than
 *  its own bursts take.
 *
 *  Built for a clock: the AR outputs and the route FIFO's head are registers; s_arready
 *  is the grant, combinational from s_arvalid (AXI lets ready wait on valid; each
 *  manager's arvalid is a register).  DEPTH bounds the bursts in flight on the port (the
 *  managers' OUTSTANDING added up is enough: an AR is granted only with room).  Only
 *  control state is reset.
 *****************************************************************************/

module axi_read_arb #(
	parameter int N      = 2,    // managers, >= 1
	parameter int DATA_W = 64,   // bus bits
	parameter int ADDR_W = 32,   // address bits
	parameter int DEPTH  = 8,    // bursts in flight on the port at most, >= 2
	localparam int IW = ($clog2(N) > 0)? $clog2(N) : 1
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Managers: AR channels (manager i at [i*w +: w]) ...
	input	logic [N-1:0]  s_arvalid,
	output	logic [N-1:0]  s_arready,
	input	logic [N*ADDR_W-1:0]  s_araddr,
	input	logic [N*8-1:0]  s_arlen,
	input	logic [N*3-1:0]  s_arsize,
	input	logic [N*2-1:0]  s_arburst,
	// ... and R channels (one valid and one ready a manager, the rest shared)
	output	logic [N-1:0]  s_rvalid,
	input	logic [N-1:0]  s_rready,
	output	logic [DATA_W-1:0]  s_rdata,
	output	logic [1:0]  s_rresp,
	output	logic  s_rlast,

	// The port
	output	logic  m_axi_arvalid,
	input	logic  m_axi_arready,
	output	logic [ADDR_W-1:0]  m_axi_araddr,
	output	logic [7:0]  m_axi_arlen,
	output	logic [2:0]  m_axi_arsize,
	output	logic [1:0]  m_axi_arburst,
	input	logic  m_axi_rvalid,
	output	logic  m_axi_rready,
	input	logic [DATA_W-1:0]  m_axi_rdata,
	input	logic [1:0]  m_axi_rresp,
	input	logic  m_axi_rlast
);

	initial begin
		if (N < 1 || DEPTH < 2) begin
			$error("%m: N (%0d) must be >= 1 and DEPTH (%0d) >= 2", N, DEPTH);
			$finish;
		end
	end

	//-------------------------------------------------------------------------
	// AR: round robin into the output register
	logic  ARVld;
	logic [ADDR_W-1:0]  ARAddr;
	logic [7:0]  ARLen;
	logic [2:0]  ARSize;
	logic [1:0]  ARBurst;
	logic [IW-1:0]  Last;     // the manager granted last
	logic  route_rdy;         // the route FIFO has room
	logic  free;              // the AR register may load
	logic  any;
	logic [IW-1:0]  pick;

	assign	free = (!ARVld || m_axi_arready) && route_rdy;

	always_comb begin : blkPick
		logic [IW:0]  k;   // Last + j < 2N: one subtraction wraps it (no divider)
		any = 1'b0;
		pick = '0;
		for (int j = N; j >= 1; j--) begin   // the lowest j >= 1 wins: Last + 1 first
			k = (IW+1)'(Last) + (IW+1)'(j);
			if (k >= (IW+1)'(N))  k = k - (IW+1)'(N);
			if (s_arvalid[k[IW-1:0]]) begin
				any = 1'b1;
				pick = k[IW-1:0];
			end
		end
	end : blkPick

	always_comb begin
		s_arready = '0;
		if (free && any)  s_arready[pick] = 1'b1;
	end

	always_ff @(posedge clk) begin
		if (rst) begin
			ARVld <= 0;
			Last <= IW'(N - 1);
		end
		else if (free) begin
			ARVld <= any;
			if (any)  Last <= pick;
		end
		else if (m_axi_arready)  ARVld <= 0;   // taken, and no room to grant another
	end
	always_ff @(posedge clk) begin
		if (free && any) begin
			ARAddr  <= s_araddr[32'(pick)*ADDR_W +: ADDR_W];
			ARLen   <= s_arlen[32'(pick)*8 +: 8];
			ARSize  <= s_arsize[32'(pick)*3 +: 3];
			ARBurst <= s_arburst[32'(pick)*2 +: 2];
		end
	end

	assign	m_axi_arvalid = ARVld;
	assign	m_axi_araddr  = ARAddr;
	assign	m_axi_arlen   = ARLen;
	assign	m_axi_arsize  = ARSize;
	assign	m_axi_arburst = ARBurst;

	//-------------------------------------------------------------------------
	// R: the route FIFO's head owns the beats, up to its burst's rlast
	logic  head_vld;
	logic [IW-1:0]  head;
	logic  r_end;

	assign	r_end = m_axi_rvalid && m_axi_rready && m_axi_rlast;

	stream_fifo #(.WIDTH(IW), .DEPTH(DEPTH)) u_route (
		.clk, .rst,
		.irdy(route_rdy), .ivld(free && any), .idat(pick),
		.ordy(r_end), .ovld(head_vld), .odat(head)
	);

	always_comb begin
		s_rvalid = '0;
		if (head_vld)  s_rvalid[head] = m_axi_rvalid;
	end
	assign	m_axi_rready = head_vld && s_rready[head];
	assign	s_rdata = m_axi_rdata;
	assign	s_rresp = m_axi_rresp;
	assign	s_rlast = m_axi_rlast;

endmodule : axi_read_arb
