/******************************************************************************
 * @brief   Stream data-width converter between lane counts (split or gather).
 * @author  e3ne
 *
 * @description
 *  Converts a stream of IN_LANES lanes per beat into a stream of OUT_LANES
 *  lanes per beat, LANE_W bits per lane, where one lane count divides the
 *  other. Lane k of a beat sits at dat[k*LANE_W +: LANE_W] and lane 0 is the
 *  first in stream order (little end first), on both sides. So the lane
 *  sequence is preserved: lane j of input beat i is element i*IN_LANES + j of
 *  the stream, and it leaves as lane (e mod OUT_LANES) of output beat
 *  floor(e / OUT_LANES), e = i*IN_LANES + j.
 *
 *  genEqual  (IN_LANES == OUT_LANES): wires, no register, zero latency.
 *  genSplit  (IN_LANES = R*OUT_LANES, R > 1): an input beat is loaded into
 *      a shift register Buf and leaves as R output beats, low lanes first
 *      (Buf shifts right by OUT_LANES lanes per output beat). The next input
 *      beat is taken in the cycle the last piece leaves, so the output runs
 *      at one beat per cycle (input: one beat per R cycles). Latency 1.
 *  genGather (OUT_LANES = R*IN_LANES, R > 1): R input beats are shifted into
 *      Buf from the top (Buf = {idat, Buf[..:IN_W]}), so the first beat ends
 *      in the low lanes; the word is offered once R beats are in. The first
 *      beat of the next word is taken in the cycle the full word leaves, so
 *      the input runs at one beat per cycle (output: one per R cycles).
 *      Latency 1 after the R-th input beat.
 *
 *  In genSplit and genGather, irdy depends combinationally on ordy (the last
 *  piece / the full word is leaving); ovld and odat come from registers only.
 *  Only control state (Vld, Cnt) is reset.
 *****************************************************************************/

module stream_dwc #(
	parameter int IN_LANES  = 4,  // lanes per input beat
	parameter int OUT_LANES = 1,  // lanes per output beat
	parameter int LANE_W    = 8   // bits per lane
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream
	output	logic  irdy,
	input	logic  ivld,
	input	logic [IN_LANES*LANE_W-1:0]  idat,

	// Output Stream
	input	logic  ordy,
	output	logic  ovld,
	output	logic [OUT_LANES*LANE_W-1:0]  odat
);

	localparam int IN_W  = IN_LANES * LANE_W;
	localparam int OUT_W = OUT_LANES * LANE_W;

	initial begin
		if (IN_LANES < 1 || OUT_LANES < 1 || LANE_W < 1) begin
			$error("%m: IN_LANES (%0d), OUT_LANES (%0d) and LANE_W (%0d) must be at least 1",
				IN_LANES, OUT_LANES, LANE_W);
			$finish;
		end
		if ((IN_LANES % OUT_LANES != 0) && (OUT_LANES % IN_LANES != 0)) begin
			$error("%m: neither IN_LANES (%0d) nor OUT_LANES (%0d) divides the other",
				IN_LANES, OUT_LANES);
			$finish;
		end
	end

	if (IN_LANES == OUT_LANES) begin : genEqual

		assign	irdy = ordy;
		assign	ovld = ivld;
		assign	odat = idat;

		// clk and rst are unused in this branch
		wire  unused = &{1'b0, clk, rst};

	end : genEqual
	else if (IN_LANES > OUT_LANES) begin : genSplit

		localparam int R  = IN_LANES / OUT_LANES;  // output beats per input beat
		localparam int CW = $clog2(R);

		logic [IN_W-1:0]  Buf;
		logic  Vld;
		logic [CW-1:0]  Cnt;  // output beats already sent from Buf

		wire  lst  = (Cnt == CW'(R - 1));
		wire  pop  = Vld && ordy;
		wire  load = ivld && irdy;

		assign	irdy = !Vld || (ordy && lst);

		always_ff @(posedge clk) begin
			if (load)      Buf <= idat;
			else if (pop)  Buf <= {{OUT_W{1'b0}}, Buf[IN_W-1:OUT_W]};
		end
		always_ff @(posedge clk) begin
			if (rst) begin
				Vld <= 0;
				Cnt <= '0;
			end
			else if (load) begin
				Vld <= 1;
				Cnt <= '0;
			end
			else if (pop) begin
				Vld <= !lst;
				Cnt <= Cnt + 1'b1;
			end
		end

		assign	ovld = Vld;
		assign	odat = Buf[OUT_W-1:0];

	end : genSplit
	else begin : genGather

		localparam int R  = OUT_LANES / IN_LANES;  // input beats per output beat
		localparam int CW = $clog2(R);

		logic [OUT_W-1:0]  Buf;
		logic  Vld;
		logic [CW-1:0]  Cnt;  // input beats already in Buf (while !Vld)

		wire  push = ivld && irdy;

		assign	irdy = !Vld || ordy;

		always_ff @(posedge clk) begin
			if (push)  Buf <= {idat, Buf[OUT_W-1:IN_W]};
		end
		always_ff @(posedge clk) begin
			if (rst) begin
				Vld <= 0;
				Cnt <= '0;
			end
			else begin
				if (Vld && ordy)  Vld <= 0;
				if (push) begin
					if (Cnt == CW'(R - 1)) begin
						Vld <= 1;
						Cnt <= '0;
					end
					else  Cnt <= Cnt + 1'b1;
				end
			end
		end

		assign	ovld = Vld;
		assign	odat = Buf;

	end : genGather

endmodule : stream_dwc
