/******************************************************************************
 * @brief   Stream fork: one valid/ready stream copied to two (a residual block's fork).
 * @author  e3ne
 *
 * @description
 *  Every input beat (idat, WIDTH bits) appears once on output o (odat) and once
 *  on output s (sdat), in input order on each. Each output has its own buffer
 *  of 2 beats (a skid buffer: output register H and second register B), so the
 *  two consumers drain independently: while one stalls, the other keeps taking
 *  the beats its buffer holds, and the fork keeps taking input until one of
 *  the buffers is full.
 *
 *      idat ──┬──► B[o] ──┐
 *             ├───────────┴──► H[o] ──► odat      (ovld = HVld[o])
 *             ├──► B[s] ──┐
 *             └───────────┴──► H[s] ──► sdat      (svld = HVld[s])
 *
 *  Per output x (o or s), after every rising edge the buffer holds
 *  HVld[x] + BVld[x] beats (BVld implies HVld); a beat is taken into both
 *  buffers at once. The head beat is always in H, so odat/sdat and ovld/svld
 *  are registers.
 *
 *  irdy is a register (Rdy): after every rising edge,
 *      irdy = !(BVld[o] || BVld[s]),
 *  i.e. irdy is low exactly in the cycles in which either buffer holds 2 beats
 *  (its consumer left a beat on its output and another one arrived). It rises
 *  again in the cycle after the edge at which that consumer takes a beat (so
 *  after a full buffer drains a beat, the input waits one cycle: the output
 *  side never loses a cycle). No combinational path from ordy, srdy or ivld to
 *  irdy, and none from the inputs to ovld/odat/svld/sdat.
 *
 *  Throughput and latency: with both consumers always ready the fork moves one
 *  beat per cycle (full throughput), and each buffer never holds more than 1
 *  beat. Latency 1: a beat taken at edge n is valid on both outputs after that
 *  edge (it is in H when the buffer was empty or is emptied at that edge;
 *  otherwise it waits in B behind the beats before it).
 *
 *  Only control state (HVld, BVld, Rdy) is reset; data registers are not.
 *****************************************************************************/

module stream_fork #(
	parameter int WIDTH = 8   // bits per beat
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream
	output	logic  irdy,
	input	logic  ivld,
	input	logic [WIDTH-1:0]  idat,

	// Output Stream o
	input	logic  ordy,
	output	logic  ovld,
	output	logic [WIDTH-1:0]  odat,

	// Output Stream s
	input	logic  srdy,
	output	logic  svld,
	output	logic [WIDTH-1:0]  sdat
);

	initial begin
		if (WIDTH < 1) begin
			$error("%m: WIDTH (%0d) must be at least 1", WIDTH);
			$finish;
		end
	end

	logic  Rdy;             // irdy: neither buffer holds 2 beats
	logic [1:0]  HVld;      // output register holds the head beat (0: o, 1: s)
	logic [1:0]  BVld;      // second register holds the next beat
	logic [2*WIDTH-1:0]  H; // output registers, o at [0 +: WIDTH], s at [WIDTH +: WIDTH]
	logic [2*WIDTH-1:0]  B; // second registers, same layout
	logic [1:0]  ordy_x;    // the consumers' ready, o at 0 and s at 1
	logic [1:0]  bvld_nx;   // BVld after this edge

	wire  push = ivld && Rdy;

	assign	ordy_x = {srdy, ordy};
	assign	irdy = Rdy;

	for (genvar x = 0; x < 2; x++) begin : genOut
		wire  pop   = HVld[x] && ordy_x[x];
		wire  hfree = !HVld[x] || pop;   // H is free after this edge

		// B is empty whenever push is high (Rdy), so a push lands in H or in B
		assign	bvld_nx[x] = hfree ? (BVld[x] && push) : (BVld[x] || push);

		// data registers: not reset
		always_ff @(posedge clk) begin
			if (hfree && BVld[x])  H[x*WIDTH +: WIDTH] <= B[x*WIDTH +: WIDTH];
			else if (hfree && push)  H[x*WIDTH +: WIDTH] <= idat;
			if (push && (BVld[x] || !hfree))  B[x*WIDTH +: WIDTH] <= idat;
		end

		// control
		always_ff @(posedge clk) begin
			if (rst) begin
				HVld[x] <= 0;
				BVld[x] <= 0;
			end
			else begin
				if (hfree)  HVld[x] <= BVld[x] || push;
				BVld[x] <= bvld_nx[x];
			end
		end
	end : genOut

	always_ff @(posedge clk) begin
		if (rst)  Rdy <= 1;
		else  Rdy <= !(|bvld_nx);
	end

	assign	ovld = HVld[0];
	assign	odat = H[0 +: WIDTH];
	assign	svld = HVld[1];
	assign	sdat = H[WIDTH +: WIDTH];

endmodule : stream_fork
