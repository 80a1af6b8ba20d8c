/******************************************************************************
 * @brief   Stream zip: two valid/ready streams concatenated beat by beat (a channel concatenation).
 * @author  e3ne
 *
 * @description
 *  Beat k of input i (idat, A_W bits) and beat k of input s (sdat, B_W bits)
 *  form output beat k (odat, A_W + B_W bits), in input order:
 *      odat[B_W-1:0]       = sdat_k   (low bits)
 *      odat[A_W+B_W-1:B_W] = idat_k   (high bits)
 *  i.e. odat = {idat_k, sdat_k}: for two feature maps streamed one beat per
 *  pixel, the channels of s come first, then those of i (lanes packed
 *  little-end first, src/e3ne/hw/README.md).
 *
 *  Handshake: both beats of a pair are taken in the same cycle,
 *      irdy = svld && Room,    srdy = ivld && Room,
 *  so a beat waiting on one input while the other is not valid is not taken
 *  (the zip never holds half a pair). Ready depends combinationally on the
 *  other stream's valid (rule 4 of src/e3ne/hw/README.md), never on ordy.
 *
 *  The output has a buffer of 2 pairs (a skid buffer: output register H and
 *  second register B), as each output of stream_fork.sv:
 *
 *      {idat, sdat} ──┬──► B ──┐
 *                     └────────┴──► H ──► odat      (ovld = HVld)
 *
 *  After every rising edge the buffer holds HVld + BVld pairs (BVld implies
 *  HVld). The head pair is always in H, so odat and ovld are registers: no
 *  combinational path from ivld, idat, svld, sdat or ordy to ovld/odat.
 *
 *  Room is a register: after every rising edge,
 *      Room = !BVld,
 *  i.e. irdy and srdy are low exactly in the cycles in which the buffer holds
 *  2 pairs (the consumer left a pair on odat and another one arrived). Room
 *  rises again in the cycle after the edge at which the consumer takes a pair
 *  (after a full buffer drains a pair the inputs wait one cycle; the output
 *  side never loses a cycle). No combinational path from ordy to irdy/srdy.
 *
 *  Throughput and latency: with the consumer always ready and both inputs
 *  always valid the zip moves one pair per cycle (full throughput), and the
 *  buffer never holds more than 1 pair; n pairs then take n + 1 cycles from
 *  the first input transfer to the last output transfer, inclusive.
 *  Latency 1: a pair taken at edge n is on odat, with ovld high, after that
 *  edge (it is in H when the buffer was empty or its head pair is taken at
 *  that edge; otherwise it waits in B behind the pair before it and is on
 *  odat after the edge at which that pair is taken).
 *
 *  Only control state (HVld, BVld, Room) is reset; data registers are not.
 *****************************************************************************/

module stream_zip #(
	parameter int A_W = 8,  // bits per beat of input i (odat's high bits)
	parameter int B_W = 8   // bits per beat of input s (odat's low bits)
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream i
	output	logic  irdy,
	input	logic  ivld,
	input	logic [A_W-1:0]  idat,

	// Input Stream s
	output	logic  srdy,
	input	logic  svld,
	input	logic [B_W-1:0]  sdat,

	// Output Stream
	input	logic  ordy,
	output	logic  ovld,
	output	logic [A_W+B_W-1:0]  odat
);

	initial begin
		if (A_W < 1 || B_W < 1) begin
			$error("%m: A_W (%0d) and B_W (%0d) must be at least 1", A_W, B_W);
			$finish;
		end
	end

	typedef logic [A_W+B_W-1:0]  data_t;

	logic   Room;   // irdy/srdy enable: the buffer holds fewer than 2 pairs
	logic   HVld;   // output register holds the head pair
	logic   BVld;   // second register holds the next pair
	data_t  H;      // output register
	data_t  B;      // second register

	wire    push  = ivld && svld && Room;   // a pair is taken at this edge
	wire    pop   = HVld && ordy;           // the head pair leaves at this edge
	wire    hfree = !HVld || pop;           // H is free after this edge

	// B is empty whenever push is high (Room), so a push lands in H or in B
	wire    bvld_nx = hfree ? (BVld && push) : (BVld || push);

	assign	irdy = svld && Room;
	assign	srdy = ivld && Room;

	// data registers: not reset
	always_ff @(posedge clk) begin
		if (hfree && BVld)  H <= B;
		else if (hfree && push)  H <= {idat, sdat};
		if (push && (BVld || !hfree))  B <= {idat, sdat};
	end

	// control
	always_ff @(posedge clk) begin
		if (rst) begin
			HVld <= 0;
			BVld <= 0;
			Room <= 1;
		end
		else begin
			if (hfree)  HVld <= BVld || push;
			BVld <= bvld_nx;
			Room <= !bvld_nx;
		end
	end

	assign	ovld = HVld;
	assign	odat = H;

endmodule : stream_zip
